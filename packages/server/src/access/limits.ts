/** Limits per connection and per participant; every one is an option of the server with this default. */
export interface Limits {
  /** Largest frame accepted; a larger one closes the socket with 1009. @default 65536 */
  maxFrameBytes: number
  /** Frames a socket may send per second, sustained; past the burst the socket is closed with 1008. @default 50 */
  framesPerSecond: number
  /** Frames a socket may send at once before the rate applies. @default 100 */
  frameBurst: number
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
  connectionsPerParticipant: 20,
  channelsPerParticipant: 20,
  maxBufferedBytes: 1024 * 1024,
}

/** A token bucket: `take()` is false once the socket has sent more than its burst plus its rate allows. */
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

  take(): boolean {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
