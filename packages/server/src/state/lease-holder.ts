import { randomUUID } from 'node:crypto'
import type { Log } from '../log.js'
import type { SharedState } from './shared-state.js'

/**
 * Which one process of several does a job that every process could do but only one may: keep the
 * session's presence events (every process sees them all), adopt what another program publishes
 * into Redis. It holds the job's lease in the shared state and renews it; when it dies, another takes
 * it once the lease has run out (`ttlMs`). With a memory state, the one process holds it.
 */
export class LeaseHolder {
  /** This process's name in the lease. */
  readonly holder = randomUUID()
  private held = false
  private renewedAt = 0
  private stopped = false
  private timer: ReturnType<typeof setInterval> | ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly state: SharedState,
    /** The job, e.g. `presence-keeper`. */
    private readonly job: string,
    private readonly log: Log,
    private readonly ttlMs = 15_000,
  ) {}

  /**
   * Whether this process holds the job now: its last renewal succeeded, recently enough that the lease
   * cannot have run out meanwhile (a process that stalled longer, or cannot reach the state, lets go
   * rather than risk two holders).
   */
  get holds(): boolean {
    return this.held && Date.now() - this.renewedAt < (this.ttlMs * 2) / 3
  }

  /**
   * Tries for the lease now, and again every third of its time. With `waitMs`, the first try comes
   * only after that long: a process that just started leaves the job to one that has been running
   * (and knows what happened before this one was there) if there is one.
   */
  async start(waitMs = 0): Promise<void> {
    const begin = () => {
      if (this.stopped) return
      this.timer = setInterval(() => void this.renew(), this.ttlMs / 3)
      this.timer.unref()
    }
    if (waitMs === 0) {
      await this.renew()
      return begin()
    }
    this.timer = setTimeout(() => void this.renew().then(begin), waitMs)
    this.timer.unref()
  }

  /** Stops renewing, and lets the lease go so that another process takes the job at once. Never rejects. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    clearTimeout(this.timer)
    this.stopped = true
    if (!this.held) return
    this.held = false
    await this.state.lease(this.job, this.holder, 0).catch(() => undefined)
  }

  private async renew(): Promise<void> {
    if (this.stopped) return
    try {
      const asked = Date.now()
      const held = await this.state.lease(this.job, this.holder, this.ttlMs)
      if (held !== this.held) this.log('info', held ? 'lease.taken' : 'lease.elsewhere', { job: this.job })
      this.held = held
      if (held) this.renewedAt = asked
    } catch (error) {
      // The state is away (Redis): another may hold the lease by the time it is back.
      if (this.held) this.log('warn', 'lease.lost', { job: this.job, error })
      this.held = false
    }
  }
}
