/** What a {@link ReplayGate} is doing now, for GET /status. */
export interface ReplayGateStatus {
  /** Replays running. */
  inFlight: number
  /** Replays waiting for a slot. */
  waiting: number
  /** The most that ever ran at once. */
  peakInFlight: number
}

/**
 * At most `maxInFlight` replays at once; the others wait in arrival order. A replay that fails
 * frees its slot all the same.
 */
export class ReplayGate {
  private inFlight = 0
  private peakInFlight = 0
  private readonly waiting: Array<() => void> = []

  private readonly maxInFlight: number

  constructor(maxInFlight: number) {
    // Zero would let no replay run, ever.
    this.maxInFlight = Math.max(1, maxInFlight)
  }

  /** Runs `replay` once a slot is free, and frees the slot when it settles. */
  async run<T>(replay: () => Promise<T> | T): Promise<T> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.inFlight += 1
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight)
    try {
      return await replay()
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift()
      if (next) next()
      else this.inFlight -= 1
    }
  }

  status(): ReplayGateStatus {
    return { inFlight: this.inFlight, waiting: this.waiting.length, peakInFlight: this.peakInFlight }
  }
}
