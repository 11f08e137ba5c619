/** Limits per connection and per participant; every one is an option of the server with this default. */
export interface Limits {
  /**
   * Largest frame published. A larger one is refused: with a nack on a resuming socket (the socket
   * stays), with 1009 on a plain one; over 4 times this, ws closes the socket with 1009 in every mode.
   * @default 65536
   */
  maxFrameBytes: number
  /**
   * Frames a socket may send per second, sustained. Past the burst the server stops reading the socket
   * until the rate allows the next frame, so a backlog drains in order instead of being cut. @default 50
   */
  framesPerSecond: number
  /** Frames a socket may send at once before the rate applies. @default 100 */
  frameBurst: number
  /** How long a socket may stay over the rate, without a pause, before it is closed with 1008. @default 60000 */
  maxThrottledMs: number
  /**
   * Frames per second one participant may publish over all its sockets together (a burst of twice as
   * many), so that many sockets each within their own rate cannot crowd out everyone else. @default 100
   */
  participantFramesPerSecond: number
  /** Bytes per second one participant may publish over all its sockets together (a burst of four seconds' worth). @default 262144 */
  participantBytesPerSecond: number
  /** Open sockets per participant in one process; one more is refused with 4429. @default 20 */
  connectionsPerParticipant: number
  /** Distinct channels a participant may hold open in one process; one more is refused with 4429. @default 20 */
  channelsPerParticipant: number
  /** Bytes waiting to be sent to a slow reader before its socket is cut (it reconnects and resumes). @default 1048576 */
  maxBufferedBytes: number
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameBytes: 64 * 1024,
  framesPerSecond: 50,
  frameBurst: 100,
  maxThrottledMs: 60_000,
  participantFramesPerSecond: 100,
  participantBytesPerSecond: 256 * 1024,
  connectionsPerParticipant: 20,
  channelsPerParticipant: 20,
  maxBufferedBytes: 1024 * 1024,
}

/**
 * A token bucket: `take(cost)` is false once more than the burst plus the rate allows was taken. A
 * cost above the burst counts as the whole burst, so no frame waits forever.
 */
export class RateLimiter {
  private tokens: number
  private last: number

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** How long until `take(cost)` can succeed (0 when it can now). */
  waitMs(cost = 1): number {
    const missing = Math.min(cost, this.burst) - this.refilled()
    return missing <= 0 ? 0 : Math.ceil((missing / this.perSecond) * 1000)
  }

  take(cost = 1): boolean {
    this.tokens = this.refilled()
    this.last = this.now()
    const due = Math.min(cost, this.burst)
    if (this.tokens < due) return false
    this.tokens -= due
    return true
  }

  private refilled(): number {
    return Math.min(this.burst, this.tokens + ((this.now() - this.last) / 1000) * this.perSecond)
  }
}
