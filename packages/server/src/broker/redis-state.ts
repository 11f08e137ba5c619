import type { createClient } from 'redis'
import type { Log } from '../log.js'
import type { SharedState } from '../state/shared-state.js'
import { ID_ORIGIN_MS } from '../state/unique-ids.js'
import type { StateIdentity } from '../state/unique-ids.js'

type RedisClient = ReturnType<typeof createClient>
/** Runs a Lua script (loading it when Redis does not have it yet). */
export type RunScript = (lua: string, keys: string[], args: string[]) => Promise<unknown>

/**
 * KEYS: epoch, secret. ARGV: a secret to keep if the state has none ('' to keep none). Begins the
 * state if it has not begun (a new Redis, or one that lost its data); returns { epoch ms, secret or false }.
 * The epoch is the one the history scripts use, so ids and history agree on when the state began.
 */
const BEGIN_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  local now = redis.call('TIME')
  epoch = string.format('%.0f', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
  redis.call('SET', KEYS[1], epoch)
end
if ARGV[1] ~= '' then redis.call('SET', KEYS[2], ARGV[1], 'NX') end
return {epoch, redis.call('GET', KEYS[2])}
`

/**
 * KEYS: the lease. ARGV: the holder, its time to live (ms; 0 to let go). Takes or renews the lease
 * unless another holds it (1 when held), or lets it go if this holder has it.
 */
const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  if holder then redis.call('DEL', KEYS[1]) end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`

/**
 * KEYS: epoch, the key's last id. ARGV: the epoch this process knows, the id origin (ms), '1' to raise
 * the next id to the clock (the first id after connecting: a Redis restored from an older snapshot
 * has an older last id). Returns {'id', id}, {'wait', ms} when the id clock has not reached the next
 * id yet, or {'epoch'} when the state is not the one this process knows (it was lost): nothing is
 * given out then. See unique-ids.ts.
 */
const UNIQUE_ID_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then return {'epoch', 0} end
local now = redis.call('TIME')
local clock = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[2])
local id = math.max(tonumber(redis.call('GET', KEYS[2]) or '0') + 1, tonumber(epoch) - tonumber(ARGV[2]) + 1)
if ARGV[3] == '1' then id = math.max(id, clock) end
if id > clock then return {'wait', id - clock} end
redis.call('SET', KEYS[2], string.format('%.0f', id))
return {'id', string.format('%.0f', id)}
`

/**
 * The shared state on Redis, under `prefix`. It notices a Redis that lost its data (restarted without
 * persistence) when it comes back, and when an id is asked of it: it begins the state again, keeping
 * this process's secret if no other process has put one there first, and tells its `onReset` listeners.
 */
export class RedisState implements SharedState {
  private identity: StateIdentity | undefined
  private secret: string | undefined
  private readonly resetListeners: Array<(identity: StateIdentity) => void> = []
  private checking: Promise<void> | undefined
  // Whether the next id is raised to the clock: true until one is given out after each (re)connection.
  private reconnected = true
  // One request per key at a time in this process: a burst waits its turn instead of retrying together.
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(
    private readonly client: RedisClient,
    private readonly run: RunScript,
    private readonly prefix: string,
    private readonly log: Log,
  ) {}

  async begin(secret?: string): Promise<StateIdentity> {
    this.secret ??= secret
    this.identity = await this.load()
    return this.identity
  }

  onReset(listener: (identity: StateIdentity) => void): void {
    this.resetListeners.push(listener)
  }

  refresh(): Promise<void> {
    return this.recheck()
  }

  /** Whether the state is still the one this process began with; if not, begins it anew and says so. Never rejects. */
  recheck(): Promise<void> {
    return (this.checking ??= this.compare().finally(() => (this.checking = undefined)))
  }

  /** The connection to Redis was lost and is back: Redis may have restarted from an older snapshot. */
  connectedAgain(): void {
    this.reconnected = true
  }

  uniqueId(key: string): Promise<number> {
    const next = (this.queues.get(key) ?? Promise.resolve()).then(() => this.nextId(key))
    const queued = next.catch(() => undefined)
    this.queues.set(key, queued)
    void queued.then(() => this.queues.get(key) === queued && this.queues.delete(key))
    return next
  }

  private async nextId(key: string): Promise<number> {
    for (;;) {
      this.identity ??= await this.load()
      const floor = this.reconnected ? '1' : ''
      const [kind, value] = (await this.run(UNIQUE_ID_SCRIPT, [this.key('epoch'), this.key(`ids:${key}`)], [String(this.identity.epochMs), String(ID_ORIGIN_MS), floor])) as [string, string | number]
      if (kind === 'id') {
        this.reconnected = false
        return Number(value)
      }
      if (kind === 'wait') await new Promise((resolve) => setTimeout(resolve, Number(value)))
      else await this.recheck()
    }
  }

  async increment(key: string): Promise<number> {
    return this.client.incr(this.key(key))
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.key(key))) ?? undefined
  }

  async set(key: string, value: string): Promise<void> {
    await this.client.set(this.key(key), value)
  }

  async lease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.run(LEASE_SCRIPT, [this.key(`lease:${key}`)], [holder, String(Math.round(ttlMs))])) === 1
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.client.set(this.key(key), value, { condition: 'NX' })
    return (await this.client.get(this.key(key))) ?? value
  }

  private key(name: string): string {
    return this.prefix + name
  }

  private async load(): Promise<StateIdentity> {
    const [epoch, secret] = (await this.run(BEGIN_SCRIPT, [this.key('epoch'), this.key('secret')], [this.secret ?? ''])) as [string, string | null]
    // Another process may have put its secret there first: that one is the state's now.
    if (this.secret !== undefined && secret) this.secret = secret
    return { epochMs: Number(epoch), secret: this.secret === undefined ? undefined : (secret ?? this.secret) }
  }

  private async compare(): Promise<void> {
    const before = this.identity
    if (!before) return
    try {
      const now = await this.load()
      if (now.epochMs === before.epochMs) return
      this.identity = now
      this.log('error', 'state.lost', {
        previousEpoch: new Date(before.epochMs).toISOString(),
        epoch: new Date(now.epochMs).toISOString(),
        note: 'Redis lost its data (restarted without persistence?): every participant, room and message before it is gone; their sockets are refused with 4410',
      })
      for (const listener of this.resetListeners) listener(now)
    } catch (error) {
      this.log('warn', 'state.recheck_failed', { error })
    }
  }
}
