import type { MessageId } from '@switchboard/client'

/**
 * How long a raw publish waits for its id before it goes out without one: longer than it takes to
 * replace a killed adopter (its 3 s lease, or a restarted process's 4.5 s wait), so a payload
 * published meanwhile is adopted late, not lost to history.
 */
export const ADOPTION_WAIT_MS = 10_000
const MAX_SENT_BARE = 100

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
  // Per channel, the last payloads that went out without an id.
  private readonly sentBare = new Map<string, string[]>()
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
        // Remembered for a while: an adoption that comes even later must not deliver it twice.
        const gone = this.sentBare.get(channel) ?? []
        if (gone.push(data) > MAX_SENT_BARE) gone.shift()
        this.sentBare.set(channel, gone)
        this.release(channel, data, undefined)
      }, this.waitMs),
    }
    entry.timer.unref()
    queue.push(entry)
    this.waiting.set(channel, queue)
  }

  /**
   * The adoption of `data` on `channel`: the held payload goes out with `id`. With none held (this
   * process subscribed after the payload came), it goes out as any message with an id does, unless it
   * went out already without one.
   */
  adopted(channel: string, id: MessageId, data: string): void {
    const entry = this.waiting.get(channel)?.find((waiting) => waiting.data === data)
    if (entry) {
      clearTimeout(entry.timer)
      this.remove(channel, entry)
    } else {
      const gone = this.sentBare.get(channel)
      const at = gone?.indexOf(data) ?? -1
      if (gone && at >= 0) return void gone.splice(at, 1)
    }
    this.release(channel, data, id)
  }

  /** Lets everything held on `channel` go (it is no longer subscribed). */
  forget(channel: string): void {
    for (const { timer } of this.waiting.get(channel) ?? []) clearTimeout(timer)
    this.waiting.delete(channel)
    this.sentBare.delete(channel)
  }

  /** The subscriber lost Redis: what it held comes back from history with its id in the catch-up, so it is dropped here. */
  forgetAll(): void {
    for (const channel of [...this.waiting.keys()]) this.forget(channel)
  }

  private remove(channel: string, entry: { data: string }): void {
    const queue = this.waiting.get(channel)
    const at = queue?.indexOf(entry as never) ?? -1
    if (queue && at >= 0) queue.splice(at, 1)
    if (queue?.length === 0) this.waiting.delete(channel)
  }
}
