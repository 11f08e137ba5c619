import type { WebSocket } from 'ws'
import { RateLimiter } from '../access/limits.js'
import type { Budget } from '../access/socket-quota.js'

/**
 * A socket's frames at no more than its rate and its participant's budget: frames past them wait, in
 * order, while the socket is paused (ws stops reading it, so TCP pushes back on the sender and nothing
 * piles up here but what was already read), and are handed on as the buckets refill. `onOverLimit`
 * fires once the socket has been held back for `maxThrottledMs` without a break.
 */
export class Throttle {
  private readonly limiter: RateLimiter
  private readonly maxThrottledMs: number
  /** Frames waiting, with their size in UTF-8 bytes, counted once. */
  private readonly waiting: Array<[string, number]> = []
  private budget: Budget | undefined
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

  /** From now on, frames also draw on the participant's budget, shared with its other sockets. */
  share(budget: Budget | undefined): void {
    this.budget = budget
  }

  push(frame: string): void {
    const bytes = this.budget ? Buffer.byteLength(frame) : 0
    if (this.since === undefined && this.waitMs(bytes) === 0) return this.pass(frame, bytes)
    this.waiting.push([frame, bytes])
    if (this.since !== undefined) return
    this.since = Date.now()
    this.ws.pause()
    this.schedule()
  }

  /** Drops the frames still waiting: they came over the limit. */
  stop(): void {
    clearTimeout(this.timer)
    this.waiting.length = 0
  }

  /** How long until every bucket has room for a frame of `bytes`. */
  private waitMs(bytes: number): number {
    const { budget } = this
    if (!budget) return this.limiter.waitMs()
    return Math.max(this.limiter.waitMs(), budget.frames.waitMs(), budget.bytes.waitMs(bytes))
  }

  private pass(frame: string, bytes: number): void {
    this.limiter.take()
    this.budget?.frames.take()
    this.budget?.bytes.take(bytes)
    this.handle(frame)
  }

  private schedule(): void {
    const next = this.waiting[0]
    this.timer = setTimeout(() => this.drain(), Math.max(1, next === undefined ? 1 : this.waitMs(next[1])))
  }

  private drain(): void {
    for (let next = this.waiting[0]; next !== undefined && this.waitMs(next[1]) === 0; next = this.waiting[0]) {
      this.waiting.shift()
      this.pass(...next)
    }
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
