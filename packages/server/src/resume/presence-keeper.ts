import { randomUUID } from 'node:crypto'
import type { Log } from '../log.js'
import type { SharedState } from '../state/shared-state.js'

const LEASE = 'presence-keeper'

/**
 * Which one process keeps the session's presence events (the record's joins and leaves, the
 * dashboard's list of who is present): every process sees them all, so exactly one must keep them. It
 * holds a lease in the shared state and renews it; when it dies, another takes it once the lease has
 * run out (`ttlMs`). With a memory state, the one process keeps them.
 */
export class PresenceKeeper {
  private readonly holder = randomUUID()
  private held = false
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly state: SharedState,
    private readonly log: Log,
    private readonly ttlMs = 15_000,
  ) {}

  /** Whether this process keeps them now. */
  get keeps(): boolean {
    return this.held
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
      const held = await this.state.lease(LEASE, this.holder, this.ttlMs)
      if (held !== this.held) this.log('info', held ? 'presence.keeper_taken' : 'presence.keeper_elsewhere', {})
      this.held = held
    } catch (error) {
      // The state is away (Redis): nothing changes until it is back.
      this.log('warn', 'presence.keeper_unknown', { error })
    }
  }
}
