/**
 * Runs steps in arrival order. A step runs at once unless an earlier one is still waiting (an
 * asynchronous schema); then it waits its turn. Synchronous steps never allocate a promise.
 */
export class InOrder {
  #backlog: Promise<void> | undefined
  readonly #onError: (error: unknown) => void

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError
  }

  /** True while an asynchronous step is pending; callers can then skip building a closure for nothing. */
  get _waiting(): boolean {
    return this.#backlog !== undefined
  }

  _run(step: () => void | Promise<void>): void {
    const result = this.#backlog ? this.#backlog.then(step) : step()
    if (!result) return
    const current = result.catch(this.#onError)
    this.#backlog = current
    void current.then(() => {
      if (this.#backlog === current) this.#backlog = undefined
    })
  }
}
