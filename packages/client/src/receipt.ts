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
  error: SwitchboardError | undefined
  #settle: ((status: SendStatus) => void) | undefined
  #settled: Promise<SendStatus> | undefined
  #final = false

  /**
   * Resolves with the final status: `acknowledged` on a server with the resume extension, `sent` on a
   * plain one (nothing more can be known there), or `failed`. Never rejects.
   */
  get settled(): Promise<SendStatus> {
    return (this.#settled ??= this.#final ? Promise.resolve(this.status) : new Promise((resolve) => (this.#settle = resolve)))
  }

  /** @internal A send that failed at once. */
  static failed(error: SwitchboardError): Receipt {
    const receipt = new Receipt()
    receipt.update('failed', true, error)
    return receipt
  }

  /** @internal Moves the status on; `final` settles it. */
  update(status: SendStatus, final: boolean, error?: SwitchboardError): void {
    if (this.#final) return
    this.status = status
    this.error = error
    this.#final = final
    if (final) this.#settle?.(status)
  }
}
