import { RateLimiter } from './limits.js'

/** What one more event from an address gets: go on, or wait `retryAfterMs`. */
export type RateVerdict = { ok: true } | { ok: false; retryAfterMs: number }

/**
 * A token bucket per source address: `perMinute` events at once, refilled evenly over a minute. Buckets
 * idle long enough to be full again are forgotten, so addresses seen once do not pile up in memory.
 */
export class AddressRate {
  private readonly buckets = new Map<string, { limiter: RateLimiter; lastUsed: number }>()
  private readonly sweepTimer: ReturnType<typeof setInterval>

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepTimer = setInterval(() => this.sweep(), 60_000)
    this.sweepTimer.unref()
  }

  take(address: string): RateVerdict {
    let bucket = this.buckets.get(address)
    if (!bucket) {
      bucket = { limiter: new RateLimiter(this.perMinute / 60, this.perMinute, this.now), lastUsed: this.now() }
      this.buckets.set(address, bucket)
    }
    bucket.lastUsed = this.now()
    if (bucket.limiter.take()) return { ok: true }
    return { ok: false, retryAfterMs: Math.max(1, bucket.limiter.waitMs()) }
  }

  stop(): void {
    clearInterval(this.sweepTimer)
  }

  private sweep(): void {
    // A bucket refills completely in a minute; one untouched that long is as good as new.
    const stale = this.now() - 60_000
    for (const [address, bucket] of this.buckets) if (bucket.lastUsed < stale) this.buckets.delete(address)
  }
}
