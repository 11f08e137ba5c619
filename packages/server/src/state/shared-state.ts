import { nextUniqueId } from './unique-ids.js'
import type { StateIdentity } from './unique-ids.js'

/**
 * The little state every server process must agree on: participant ids, participants and their
 * agents, room membership, the credential secret. In memory for one process; in Redis for several.
 */
export interface SharedState {
  /**
   * The state's identity: when it began, and its credential secret, which is `secret` if the state has
   * none yet (omit it to keep no secret in the state). The same answer in every process until the state
   * is lost; a state that was lost and begun again (a Redis restarted empty) has a new epoch.
   */
  begin(secret?: string): Promise<StateIdentity>
  /**
   * Calls `listener` when this process finds the state was lost and began again (a Redis that
   * restarted empty), with the new identity. A memory state is never lost while its process runs.
   */
  onReset(listener: (identity: StateIdentity) => void): void
  /** Checks now whether the state was lost and began again (telling the `onReset` listeners). Never rejects. */
  refresh(): Promise<void>
  /**
   * An integer never given out before under `key`, by this state or by any earlier one that was lost
   * (see unique-ids.ts): for participants, agents, rooms, anything an experiment names.
   */
  uniqueId(key: string): Promise<number>
  /** Atomically increments `key` and returns the new value (1 first). Counts again from 1 in a state begun anew. */
  increment(key: string): Promise<number>
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** Stores `value` unless `key` has one, and returns whichever value `key` holds afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>
  /**
   * Takes `key` for `holder` for `ttlMs`, or renews it, unless another holder has it: true while
   * `holder` holds it. One process among several does a job by holding its lease and renewing it;
   * when that process dies, another takes it once `ttlMs` has passed; `ttlMs` 0 lets it go at once
   * (a clean shutdown). A memory state's one process always holds it.
   */
  lease(key: string, holder: string, ttlMs: number): Promise<boolean>
}

/** One process's state, which begins when the process does: nothing of it survives a restart. */
export class MemoryState implements SharedState {
  private readonly values = new Map<string, string>()
  private readonly lastIds = new Map<string, number>()
  private readonly epochMs: number
  // One request per key at a time: a burst waits its turn instead of retrying together.
  private readonly queues = new Map<string, Promise<number>>()

  constructor(private readonly now: () => number = Date.now) {
    this.epochMs = now()
  }

  async begin(secret?: string): Promise<StateIdentity> {
    return { epochMs: this.epochMs, secret: secret === undefined ? undefined : await this.setIfAbsent('secret', secret) }
  }

  onReset(): void {}

  async refresh(): Promise<void> {}

  uniqueId(key: string): Promise<number> {
    const next = (this.queues.get(key) ?? Promise.resolve(0)).then(() => this.nextId(key))
    this.queues.set(key, next)
    void next.then(() => this.queues.get(key) === next && this.queues.delete(key))
    return next
  }

  private async nextId(key: string): Promise<number> {
    for (;;) {
      const next = nextUniqueId(this.lastIds.get(key), this.epochMs, this.now())
      if ('id' in next) {
        this.lastIds.set(key, next.id)
        return next.id
      }
      await new Promise((resolve) => setTimeout(resolve, next.waitMs))
    }
  }

  async increment(key: string): Promise<number> {
    const next = Number(this.values.get(key) ?? 0) + 1
    this.values.set(key, String(next))
    return next
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key)
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value)
  }

  async lease(): Promise<boolean> {
    return true
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    const existing = this.values.get(key)
    if (existing !== undefined) return existing
    this.values.set(key, value)
    return value
  }
}
