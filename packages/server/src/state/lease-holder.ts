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
  private readonly holder = randomUUID()
  private held = false
  private renewedAt = 0
  private timer: ReturnType<typeof setInterval> | undefined

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

  async start(): Promise<void> {
    await this.renew()
    this.timer = setInterval(() => void this.renew(), this.ttlMs / 3)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private async renew(): Promise<void> {
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
