import type { Unsubscribe } from './handlers.js'

/** One exchange with the server: the local clock when it was asked and answered, and the server's clock in its answer. */
export interface ClockSample {
  sentAt: number
  receivedAt: number
  serverTime: number
}

/** What the clock believes: the server's clock minus the local one, give or take `uncertaintyMs`. */
export interface ClockEstimate {
  offsetMs: number
  uncertaintyMs: number
  /** The round trip of the sample the estimate comes from. */
  rttMs: number
}

/**
 * The estimate from the last samples (an NTP-style clock filter): the one with the shortest round trip
 * is the one least disturbed by queueing, and its answer was given somewhere within that round trip,
 * so the offset is taken at its middle, give or take half the round trip (and half a millisecond, for
 * the server's clock is read in whole milliseconds). A sample that contradicts the
 * estimate by more than both uncertainties together means a clock was set: the older samples go.
 */
export class ClockFilter {
  #samples: ClockSample[] = []
  #estimate: ClockEstimate | undefined

  constructor(readonly size = 8) {}

  get estimate(): ClockEstimate | undefined {
    return this.#estimate
  }

  /** Takes a sample; true when the estimate changed. */
  add(sample: ClockSample): boolean {
    const candidate = estimateOf(sample)
    const current = this.#estimate
    if (current && Math.abs(candidate.offsetMs - current.offsetMs) > candidate.uncertaintyMs + current.uncertaintyMs) this.#samples = []
    this.#samples.push(sample)
    if (this.#samples.length > this.size) this.#samples.shift()
    const best = this.#samples.map(estimateOf).reduce((a, b) => (b.rttMs < a.rttMs ? b : a))
    const changed = !current || best.offsetMs !== current.offsetMs || best.uncertaintyMs !== current.uncertaintyMs
    this.#estimate = best
    return changed
  }
}

// The server's clock is read in whole milliseconds: its answer was given somewhere in [T, T + 1).
function estimateOf({ sentAt, receivedAt, serverTime }: ClockSample): ClockEstimate {
  const rttMs = Math.max(0, receivedAt - sentAt)
  return { offsetMs: serverTime + 0.5 - (sentAt + receivedAt) / 2, uncertaintyMs: rttMs / 2 + 0.5, rttMs }
}

/** An estimate this close needs no more quick samples. */
const GOOD_ENOUGH_MS = 5

export interface ServerClockOptions {
  /** Asks the server for its clock: its time, or undefined when it cannot answer now. */
  ask: () => Promise<number | undefined>
  /** The local clock, monotonic (performance-based). */
  now: () => number
  /** Samples taken quickly at first (up to four times as many while the estimate is off by more than 5 ms), before settling to `intervalMs`. @default 5 */
  burst?: number
  /** @default 10000 */
  intervalMs?: number
}

/**
 * Keeps an estimate of the server's clock by asking it now and then, and runs callbacks at server
 * times. It lives as long as the page, not a socket: its estimate and its timers outlast reconnects.
 */
export class ServerClock {
  readonly #filter = new ClockFilter()
  readonly #listeners = new Set<(estimate: ClockEstimate) => void>()
  readonly #options: Required<ServerClockOptions>
  #timer: ReturnType<typeof setTimeout> | undefined
  #asked = 0
  #closed = false
  readonly #pending = new Set<Unsubscribe>()

  constructor(options: ServerClockOptions) {
    this.#options = { burst: 5, intervalMs: 10_000, ...options }
    this.#schedule(0)
  }

  get estimate(): ClockEstimate | undefined {
    return this.#filter.estimate
  }

  /** The server's clock minus this page's (its monotonic clock); undefined before the first answer. */
  get offsetMs(): number | undefined {
    return this.#filter.estimate?.offsetMs
  }

  /** How far off `now()` may be, at most, by the best sample: half its round trip. */
  get uncertaintyMs(): number | undefined {
    return this.#filter.estimate?.uncertaintyMs
  }

  /** The round trip of the best recent sample, in ms. */
  get rttMs(): number | undefined {
    return this.#filter.estimate?.rttMs
  }

  /** Resolves once the server's clock reaches `serverTime`. */
  until(serverTime: number): Promise<void> {
    return new Promise((resolve) => this.at(serverTime, resolve))
  }

  /** The server's time now, by the estimate; undefined before the first answer. */
  now(): number | undefined {
    const estimate = this.#filter.estimate
    return estimate && this.#options.now() + estimate.offsetMs
  }

  onChange(listener: (estimate: ClockEstimate) => void): Unsubscribe {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Runs `callback` once the server's clock reaches `serverTime` (at once if it has); re-aimed whenever the estimate changes. */
  at(serverTime: number, callback: () => void): Unsubscribe {
    if (!Number.isFinite(serverTime) || this.#closed) return () => {}
    let timer: ReturnType<typeof setTimeout> | undefined
    const aim = (): void => {
      clearTimeout(timer)
      const now = this.now()
      if (now === undefined) return
      if (now >= serverTime) return finish()
      // setTimeout takes at most 2^31 − 1 ms; a later time is aimed at again from there.
      timer = unref(setTimeout(aim, Math.min(serverTime - now, 2 ** 31 - 1)))
    }
    const finish = (): void => {
      off()
      try {
        callback()
      } catch {
        // A page's callback that throws must not stop the clock.
      }
    }
    const stop = this.onChange(aim)
    const off = (): void => {
      clearTimeout(timer)
      stop()
      this.#pending.delete(off)
    }
    this.#pending.add(off)
    aim()
    return off
  }

  /** Stops asking the server, and cancels every callback still waiting for its time. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    for (const off of [...this.#pending]) off()
    this.#listeners.clear()
  }

  #schedule(delayMs: number): void {
    if (!this.#closed) this.#timer = unref(setTimeout(() => void this.#sample(), delayMs))
  }

  async #sample(): Promise<void> {
    const { ask, now, burst, intervalMs } = this.#options
    const sentAt = now()
    const serverTime = await ask().catch(() => undefined)
    const receivedAt = now()
    if (this.#closed) return
    if (serverTime !== undefined) {
      this.#asked += 1
      if (this.#filter.add({ sentAt, receivedAt, serverTime })) {
        const estimate = this.#filter.estimate
        for (const listener of [...this.#listeners]) {
          try {
            if (estimate) listener(estimate)
          } catch {
            // A page's listener that throws must not stop the clock.
          }
        }
      }
    }
    // A few quick samples at first, for a good estimate soon, and more while it is still poor (a busy
    // machine or network slowed them all); then one now and then, for drift.
    const poor = (this.#filter.estimate?.uncertaintyMs ?? Number.POSITIVE_INFINITY) > GOOD_ENOUGH_MS && this.#asked < 4 * burst
    this.#schedule(serverTime === undefined ? Math.min(1000, intervalMs) : this.#asked < burst || poor ? 100 : intervalMs)
  }
}

/** A timer that does not keep a Node process alive (browsers have no such notion). */
function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}
