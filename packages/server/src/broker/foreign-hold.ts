import type { MessageId } from '@switchboard/client'

/**
 * How long a raw publish waits for its id before it goes out without one: longer than it takes to
 * replace a killed adopter (its 3 s lease), so a payload published meanwhile is adopted late, not
 * lost to history.
 */
export const ADOPTION_WAIT_MS = 5000

/**
 * What another program (Dallinger's Python) published raw on a channel, held until the adopting
 * process has given it an id and a place in history, so that it is delivered once, with its id, like
 * every other message. Matched by payload, first come first served, per channel: the adoption of a
 * payload always follows the payload itself on every subscriber's connection. Unadopted after
 * `waitMs` (no process in Dallinger mode is left), it goes out without an id, as Dallinger would have
 * relayed it.
 */
export class ForeignHold {
  private readonly waiting = new Map<string, Array<{ data: string; timer: ReturnType<typeof setTimeout> }>>()
  /** Raw publishes that went out without an id, for GET /status. */
  unadopted = 0

  constructor(
    private readonly release: (channel: string, data: string, id: MessageId | undefined) => void,
    private readonly waitMs = ADOPTION_WAIT_MS,
  ) {}

  hold(channel: string, data: string): void {
    const queue = this.waiting.get(channel) ?? []
    const entry = {
      data,
      timer: setTimeout(() => {
        this.remove(channel, entry)
        this.unadopted += 1
        this.release(channel, data, undefined)
      }, this.waitMs),
    }
    entry.timer.unref()
    queue.push(entry)
    this.waiting.set(channel, queue)
  }

  /** The adoption of `data` on `channel`: the held payload goes out with `id`. False when none was held (it went out already). */
  adopted(channel: string, id: MessageId, data: string): boolean {
    const entry = this.waiting.get(channel)?.find((waiting) => waiting.data === data)
    if (!entry) return false
    clearTimeout(entry.timer)
    this.remove(channel, entry)
    this.release(channel, data, id)
    return true
  }

  /** Lets everything held on `channel` go (it is no longer subscribed). */
  forget(channel: string): void {
    for (const { timer } of this.waiting.get(channel) ?? []) clearTimeout(timer)
    this.waiting.delete(channel)
  }

  private remove(channel: string, entry: { data: string }): void {
    const queue = this.waiting.get(channel)
    const at = queue?.indexOf(entry as never) ?? -1
    if (queue && at >= 0) queue.splice(at, 1)
    if (queue?.length === 0) this.waiting.delete(channel)
  }
}
