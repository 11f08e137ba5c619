import type { WebSocket } from 'ws'
import { RateLimiter } from '../access/limits.js'

/**
 * A socket's frames at no more than its rate: frames past the burst wait, in order, while the socket
 * is paused (ws stops reading it, so TCP pushes back on the sender and nothing piles up here but what
 * was already read), and are handed on as the bucket refills. `onOverLimit` fires once the socket has
 * been over its rate for `maxThrottledMs` without a break.
 */
export class Throttle {
  private readonly limiter: RateLimiter
  private readonly maxThrottledMs: number
  private readonly waiting: string[] = []
  private since: number | undefined
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly ws: WebSocket,
    limits: { framesPerSecond: number; frameBurst: number; maxThrottledMs: number },
    private readonly handle: (frame: string) => void,
    private readonly onOverLimit: () => void,
  ) {
    this.limiter = new RateLimiter(limits.framesPerSecond, limits.frameBurst)
    this.maxThrottledMs = limits.maxThrottledMs
  }

  /** True while frames wait: the socket is paused, and its pongs are not read either. */
  get throttled(): boolean {
    return this.since !== undefined
  }

  push(frame: string): void {
    if (this.since === undefined && this.limiter.take()) return this.handle(frame)
    this.waiting.push(frame)
    if (this.since !== undefined) return
    this.since = Date.now()
    this.ws.pause()
    this.schedule()
  }

  stop(): void {
    clearTimeout(this.timer)
    this.waiting.length = 0
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.drain(), Math.max(1, this.limiter.waitMs()))
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.limiter.take()) this.handle(this.waiting.shift() as string)
    if (this.waiting.length === 0) {
      this.since = undefined
      this.ws.resume()
      return
    }
    if (Date.now() - (this.since ?? 0) > this.maxThrottledMs) {
      this.stop()
      // Read again, or the close handshake that follows would never hear the client's answer.
      this.ws.resume()
      return this.onOverLimit()
    }
    this.schedule()
  }
}
