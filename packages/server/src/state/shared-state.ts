/**
 * The little state every server process must agree on: participant ids, participants and their
 * agents, room membership, the credential secret. In memory for one process; in Redis for several.
 */
export interface SharedState {
  /** Atomically increments `key` and returns the new value (1 first). */
  increment(key: string): Promise<number>
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** Stores `value` unless `key` has one, and returns whichever value `key` holds afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>
}

export class MemoryState implements SharedState {
  private readonly values = new Map<string, string>()

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

  async setIfAbsent(key: string, value: string): Promise<string> {
    const existing = this.values.get(key)
    if (existing !== undefined) return existing
    this.values.set(key, value)
    return value
  }
}
