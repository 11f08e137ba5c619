import type { SwitchboardError } from './errors.js'

/**
 * Where one send stands: `queued` (waiting for the connection), `sent` (written to the socket),
 * `acknowledged` (the server stored and relayed it; resume extension only) or `failed` (see `error`).
 */
export type SendStatus = 'queued' | 'sent' | 'acknowledged' | 'failed'

/**
 * What `send()` returns: the send's status, kept up to date.
 * @example
 * const receipt = broadcast.send({ type: 'chat', text: 'hi' })
 * if ((await receipt.settled) === 'failed') show(receipt.error?.message)
 */
export class Receipt {
  /** The current status. */
  status: SendStatus = 'queued'
  /** Why the send failed, once it has. */
  declare error: SwitchboardError | undefined
  /**
   * Resolves with the final status: `acknowledged` on a server with the resume extension, `sent` on a
   * plain one (nothing more can be known there), or `failed`. Never rejects.
   */
  readonly settled: Promise<SendStatus>
  #settle!: (status: SendStatus) => void
  #final = false

  /** @internal `failure`: a send that failed at once. */
  constructor(failure?: SwitchboardError) {
    this.settled = new Promise((resolve) => (this.#settle = resolve))
    if (failure) this._update('failed', true, failure)
  }

  /** @internal Moves the status on; `final` settles it. */
  _update(status: SendStatus, final: boolean, error?: SwitchboardError): void {
    if (this.#final) return
    this.status = status
    this.error = error
    this.#final = final
    if (final) this.#settle(status)
  }
}
