/**
 * One answer to a heartbeat: the round trip and the server's clock, what a clock needs to estimate
 * the server's time (`serverTime + rttMs / 2` was the server's time at `receivedAt`).
 */
export interface PongSample {
  /** From the ping's write to its pong's arrival, in ms. */
  rttMs: number
  /** The server's clock when it answered, in ms since the epoch. */
  serverTime: number
  /** When the pong arrived, in ms since the epoch, in high resolution (as a message's `receivedAt`). */
  receivedAt: number
}

/**
 * The heartbeat of a socket that speaks the resume extension (docs/protocol.md). Any frame counts as
 * life and costs one clock read, so a busy channel never pings. After `intervalMs` without a frame it
 * pings once; when that ping stays unanswered, and nothing else comes, for `timeoutMs − intervalMs`,
 * the path is dead. The deadline counts from the ping rather than from the last frame: a browser
 * delays the timers of a background tab (up to a minute), and a ping it sent late must still get
 * its full time, or every quiet background tab would drop a healthy socket.
 */
export class Heartbeat {
  /** The last pong's figures, for the channel's `lastPong`. */
  _last: PongSample | undefined
  #heardAt = 0
  // The last ping; `#waiting` while it is unanswered and nothing else came after it.
  #id = 0
  #pingedAt = 0
  #waiting = false
  readonly #intervalMs: number
  readonly #timeoutMs: number
  // Pings asked for by the page (`channel.ping()`), by id, until their pong or their deadline.
  readonly #asked = new Map<number, (serverTime: number | undefined) => void>()
  #askedCount = 0

  constructor(intervalMs: number, timeoutMs: number) {
    this.#intervalMs = intervalMs
    this.#timeoutMs = timeoutMs
  }

  /** A frame arrived at `now`. */
  _heard(now: number): void {
    this.#heardAt = now
    this.#waiting = false
  }

  /** The pong for ping `id` arrived at `now`, stamped with the server's `serverTime`. */
  _pong(id: number, serverTime: number, now: number): void {
    if (id === this.#id) this._last = { rttMs: now - this.#pingedAt, serverTime, receivedAt: now }
    this.#asked.get(id)?.(serverTime)
  }

  /** Pings now with `write`; resolves with the server's clock from its pong, or undefined after `timeoutMs` without one. */
  _ask(write: (frame: string) => void, timeoutMs = this.#timeoutMs): Promise<number | undefined> {
    // Numbered apart from the heartbeat's own pings (below zero), so that neither disturbs the other.
    const id = -++this.#askedCount
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(undefined), timeoutMs)
      const answer = (serverTime: number | undefined): void => {
        clearTimeout(timer)
        this.#asked.delete(id)
        resolve(serverTime)
      }
      this.#asked.set(id, answer)
      write(`:{"type":"ping","id":${id}}`)
    })
  }

  /**
   * Looks at the silence at `now`, and writes a ping with `write` when one is due. Returns the wait
   * before the next look, or undefined when the socket is silent: its path is dead.
   */
  _step(now: number, write: (frame: string) => void): number | undefined {
    const interval = this.#intervalMs
    const grace = this.#timeoutMs - interval
    if (this.#waiting) {
      const left = this.#pingedAt + grace - now
      // A look within an interval, too: once the answer came, the next ping is due an interval after it.
      return left > 0 ? Math.min(left, interval) : undefined
    }
    const left = this.#heardAt + interval - now
    if (left > 0) return left
    this.#waiting = true
    this.#pingedAt = now
    write(`:{"type":"ping","id":${++this.#id}}`)
    return Math.min(grace, interval)
  }
}
