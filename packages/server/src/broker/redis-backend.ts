import { createHash } from 'node:crypto'
import type { MessageId } from '@switchboard/client'
import { createClient } from 'redis'
import { notify } from './broker.js'
import type { Broker, BrokerListener, BrokerStatus, GapListener, PublishOutcome, PublishedMessage, RelayOptions } from './broker.js'
import { ADOPTED_PREFIX, RedisSubscriptions } from './redis-subscriptions.js'
import { DEFAULT_HISTORY_LIMITS, MESSAGE_OVERHEAD_BYTES, beforeEpoch, laterId } from '../history/history.js'
import type { HistoryLimits, HistoryRead, HistoryStats, StoredMessage } from '../history/history.js'
import { ReplayGate } from '../history/replay-gate.js'
import { DEFAULT_REPLAY_LIMITS } from '../history/replay-limits.js'
import type { ReplayLimits } from '../history/replay-limits.js'
import type { Log } from '../log.js'
import { FORGO_SCRIPT, PUBLISH_SCRIPT, READ_SCRIPT, RELAY_SCRIPT } from './redis-scripts.js'
import { ADOPTER_LEASE_MS, RedisAdopter } from './redis-adopter.js'
import { LeaseHolder } from '../state/lease-holder.js'
import { DEFAULT_SEND_WINDOW } from '../history/send-window.js'
import type { Sender, SendWindowLimits } from '../history/send-window.js'
import type { SharedState } from '../state/shared-state.js'
import type { StateIdentity } from '../state/unique-ids.js'
import { RedisState } from './redis-state.js'

type RedisClient = ReturnType<typeof createClient>

// Shared state, history streams and sender sessions live under this prefix; pub/sub channel names
// stay raw, as Dallinger's are, and each has a companion channel that announces message ids.
const KEY_PREFIX = 'switchboard:'
const historyKey = (channel: string) => `${KEY_PREFIX}history:${channel}`
const idChannel = (channel: string) => `${KEY_PREFIX}id:${channel}`
const droppedKey = (channel: string) => `${KEY_PREFIX}dropped:${channel}`
const EPOCH_KEY = `${KEY_PREFIX}epoch`
// The server-wide bounds: channels by last write, bytes per channel and in all, and the newest id of a forgotten channel.
const CHANNELS_KEY = `${KEY_PREFIX}history-channels`
const SIZES_KEY = `${KEY_PREFIX}history-sizes`
const BYTES_KEY = `${KEY_PREFIX}history-bytes`
const FORGOTTEN_KEY = `${KEY_PREFIX}history-forgotten`

export interface RedisBackendOptions {
  /** How much history is kept, per channel and in all (over every process on this Redis). @default DEFAULT_HISTORY_LIMITS */
  history?: Partial<HistoryLimits>
  /** How much one resume may replay, and how many replays run at once in this process. @default DEFAULT_REPLAY_LIMITS */
  replay?: Partial<ReplayLimits>
  sendWindow?: Partial<SendWindowLimits>
  /**
   * Dallinger mode: what another program publishes straight into Redis (Dallinger's Python) gets an id
   * and a place in history, once, by the one process holding the adopter lease; every process holds such
   * a payload until its id comes (a second at most), then delivers it once, with the id. Set it on every
   * process of the experiment. @default false
   */
  adoptForeign?: boolean
}

// Each script's SHA-1, by which Redis runs a script it has loaded.
const hashes = new Map<string, string>()
const sha = (lua: string): string => hashes.get(lua) ?? hashes.set(lua, createHash('sha1').update(lua).digest('hex')).get(lua)!

/**
 * Broker and shared state on Redis, for several server processes serving one experiment (and for
 * sharing a Redis with a real Dallinger server). One subscription per channel per process, dropped
 * when its last local listener leaves. Redis going away does not crash the server: the client
 * reconnects and resubscribes, and the outage is logged and reported by `status()`.
 */
export class RedisBackend implements Broker, SharedState {
  private readonly pubsub: RedisSubscriptions
  private readonly historyLimits: HistoryLimits
  private readonly sendWindow: SendWindowLimits
  private readonly replay: ReplayLimits
  private readonly replays: ReplayGate
  private readonly state: BrokerStatus = { kind: 'redis', connected: true, outages: 0, lostPublishes: 0 }
  private downSince: number | undefined
  private readonly shared: RedisState
  private readonly published = new Set<(message: PublishedMessage) => void>()
  private adopter: RedisAdopter | undefined

  private constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly log: Log,
    options: RedisBackendOptions,
  ) {
    this.historyLimits = { ...DEFAULT_HISTORY_LIMITS, ...options.history }
    this.sendWindow = { ...DEFAULT_SEND_WINDOW, ...options.sendWindow }
    this.replay = { ...DEFAULT_REPLAY_LIMITS, ...options.replay }
    this.replays = new ReplayGate(this.replay.maxInFlight)
    this.shared = new RedisState(publisher, this.run, KEY_PREFIX, log)
    this.pubsub = new RedisSubscriptions(subscriber, (channel, since) => this.history(channel, since), log, options.adoptForeign ?? false)
    for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
      client.on('error', (error: unknown) => this.down(role, error))
      client.on('ready', () => this.up())
    }
  }

  /** Connects to `url` (e.g. `redis://127.0.0.1:6379`). */
  static async connect(url: string, log: Log, backendOptions: RedisBackendOptions = {}): Promise<RedisBackend> {
    const options = {
      url,
      // Publishes fail at once while Redis is away instead of piling up in memory; each one is counted.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
    }
    const publisher = createClient(options)
    const subscriber = createClient(options)
    const backend = new RedisBackend(publisher, subscriber, log, backendOptions)
    await Promise.all([publisher.connect(), subscriber.connect()])
    if (backendOptions.adoptForeign) {
      const lease = new LeaseHolder(backend, 'adopter', log, ADOPTER_LEASE_MS)
      backend.adopter = await RedisAdopter.start(createClient(options), lease, (channel, data) => backend.adopt(channel, data, lease.holder), log)
    }
    log('info', 'redis.connected', { url: url.replace(/\/\/[^@]*@/, '//***@'), adoptForeign: backendOptions.adoptForeign ?? false })
    return backend
  }

  subscribe(channel: string, listener: BrokerListener, onGap?: GapListener): Promise<() => void> {
    return this.pubsub.subscribe(channel, listener, onGap)
  }

  /** The KEYS and ARGV both scripts take (see redis-scripts.ts). */
  private scriptInput(channel: string, dataOrSince: string, sender?: Sender, from = ''): { keys: string[]; args: string[] } {
    const { maxMessages, maxAgeMs, maxBytes, maxChannels } = this.historyLimits
    const session = sender ? `${KEY_PREFIX}session:${sender.session}` : historyKey(channel)
    const keys = [historyKey(channel), session, droppedKey(channel), EPOCH_KEY, CHANNELS_KEY, SIZES_KEY, BYTES_KEY, FORGOTTEN_KEY]
    const limits = [maxMessages, maxAgeMs, sender?.seq ?? '', this.sendWindow.sessionTtlMs, idChannel(channel), maxBytes, maxChannels, KEY_PREFIX, MESSAGE_OVERHEAD_BYTES]
    return { keys, args: [channel, dataOrSince, ...limits.map(String), String(this.replay.maxMessages), String(this.replay.maxBytes), from] }
  }

  async publish(channel: string, data: string, sender?: Sender, from?: string): Promise<PublishOutcome> {
    const { keys, args } = this.scriptInput(channel, data, sender, from)
    try {
      const id = (await this.run(PUBLISH_SCRIPT, keys, args)) as string | null
      if (id === null) return 'duplicate'
      for (const listener of this.published) notify(listener, { channel, data, id, from })
      return 'published'
    } catch (error) {
      this.state.lostPublishes += 1
      this.log('error', 'redis.publish_lost', { channel, error, lostPublishes: this.state.lostPublishes })
      return 'lost'
    }
  }

  /**
   * Gives another program's raw publish its id and place in history, and announces the id (see
   * RedisAdopter), if `holder` still holds the adopter's lease.
   */
  private async adopt(channel: string, data: string, holder: string): Promise<void> {
    const { keys, args } = this.scriptInput(channel, data)
    args[6] = ADOPTED_PREFIX + channel
    const id = (await this.run(PUBLISH_SCRIPT, keys, [...args, '1', `${KEY_PREFIX}lease:adopter`, holder])) as string | null
    if (id === null) return this.log('warn', 'redis.adopt_fenced', { channel, note: 'the adopter lease had passed to another process' })
    for (const listener of this.published) notify(listener, { channel, data, id, from: undefined })
  }

  async history(channel: string, since?: MessageId): Promise<HistoryRead> {
    if (since === undefined) return this.read(channel, '')
    return this.replays.run(() => this.read(channel, since))
  }

  private async read(channel: string, since: string): Promise<HistoryRead> {
    const { keys, args } = this.scriptInput(channel, since)
    const reply = await this.run(READ_SCRIPT, keys, args)
    const [last, dropped, entries, epoch, cut] = reply as [string, string, Array<[string, string[]]>, string, string]
    const messages: StoredMessage[] = entries.map(([id, fields]) => (fields[3] === undefined ? { id, data: fields[1] ?? '' } : { id, data: fields[1] ?? '', from: fields[3] }))
    // Everything before this Redis's epoch is unknown to it: dropped, as far as a reader can tell.
    // So is what the replay bounds left out (cut).
    const unknown = beforeEpoch(Number(epoch))
    return { last, dropped: laterId(laterId(dropped, unknown), cut || '0-0'), messages }
  }

  async storedSince(sinceMs: number): Promise<PublishedMessage[]> {
    const channels = await this.publisher.zRangeByScore(CHANNELS_KEY, sinceMs, '+inf')
    const found: PublishedMessage[] = []
    for (const channel of channels) {
      for (const { id, message } of await this.publisher.xRange(historyKey(channel), `${Math.max(0, Math.floor(sinceMs))}-0`, '+')) {
        found.push({ channel, id, data: message.d ?? '', from: message.f })
      }
    }
    return found
  }

  /** Bytes and channels of history held on this Redis, by every process together. */
  async historyStats(): Promise<HistoryStats> {
    const [bytes, channels] = await Promise.all([this.publisher.get(BYTES_KEY), this.publisher.zCard(CHANNELS_KEY)])
    return { bytes: Number(bytes ?? 0), channels }
  }

  /** Runs a script by its hash, loading it first when Redis does not have it (a new or restarted Redis). */
  private readonly run = async (lua: string, keys: string[], args: string[]): Promise<unknown> => {
    try {
      return await this.publisher.evalSha(sha(lua), { keys, arguments: args })
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error
      return this.publisher.eval(lua, { keys, arguments: args })
    }
  }

  async forgo(sender: Sender): Promise<void> {
    try {
      await this.run(FORGO_SCRIPT, [`${KEY_PREFIX}session:${sender.session}`], [String(sender.seq), String(this.sendWindow.sessionTtlMs)])
    } catch (error) {
      this.log('warn', 'redis.forgo_failed', { error })
    }
  }

  async relayOnly(channel: string, data: string, options: RelayOptions = {}): Promise<PublishOutcome> {
    try {
      // Relayed as Dallinger's own PUBLISH (nothing stored), with a mark that says it is no other program's.
      await this.run(RELAY_SCRIPT, [], [idChannel(channel), channel, data])
      if (options.announce) for (const listener of this.published) notify(listener, { channel, data, id: undefined, from: undefined })
      return 'published'
    } catch (error) {
      this.state.lostPublishes += 1
      this.log('error', 'redis.publish_lost', { channel, error, lostPublishes: this.state.lostPublishes })
      return 'lost'
    }
  }

  onPublished(listener: (message: PublishedMessage) => void): () => void {
    this.published.add(listener)
    return () => this.published.delete(listener)
  }

  status(): BrokerStatus {
    const adoption = this.adopter ? { adoption: { adopter: this.adopter.holds, adopted: this.adopter.adopted, unadopted: this.pubsub.unadopted } } : {}
    return { ...this.state, replays: this.replays.status(), ...adoption }
  }

  begin(secret?: string): Promise<StateIdentity> {
    return this.shared.begin(secret)
  }

  onReset(listener: (identity: StateIdentity) => void): void {
    this.shared.onReset(listener)
  }

  refresh(): Promise<void> {
    return this.shared.recheck()
  }

  uniqueId(key: string): Promise<number> {
    return this.shared.uniqueId(key)
  }

  increment(key: string): Promise<number> {
    return this.shared.increment(key)
  }

  get(key: string): Promise<string | undefined> {
    return this.shared.get(key)
  }

  set(key: string, value: string): Promise<void> {
    return this.shared.set(key, value)
  }

  lease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.shared.lease(key, holder, ttlMs)
  }

  setIfAbsent(key: string, value: string): Promise<string> {
    return this.shared.setIfAbsent(key, value)
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.adopter?.close(), this.publisher.quit(), this.subscriber.quit()])
  }

  private down(role: string, error: unknown): void {
    // Only the subscriber's loss loses pub/sub messages; it holds deliveries until the catch-up.
    if (role === 'subscriber') this.pubsub.pause()
    if (this.downSince !== undefined) return
    this.downSince = Date.now()
    this.state.connected = false
    this.state.outages += 1
    this.log('error', 'redis.down', { role, error, note: 'what other processes publish meanwhile reaches this one from history once Redis is back' })
  }

  private up(): void {
    if (this.downSince === undefined || !this.publisher.isReady || !this.subscriber.isReady) return
    const startedAt = this.downSince
    const durationMs = Date.now() - startedAt
    const outage = { startedAt: new Date(startedAt).toISOString(), durationMs, channels: this.pubsub.size }
    this.state.lastOutage = outage
    this.state.connected = true
    this.downSince = undefined
    // A Redis that restarted may have lost everything (then the state begins anew, and says so), or
    // come back from an older snapshot (then the next id starts at the clock).
    this.shared.connectedAgain()
    void this.shared.recheck()
    this.pubsub.catchUp().then(
      ({ recovered, gaps }) => {
        Object.assign(outage, { recovered, gaps })
        this.log('warn', 'redis.up', { ...outage, recovered, gaps, lostPublishes: this.state.lostPublishes })
      },
      (error: unknown) => this.log('error', 'redis.catch_up_failed', { error }),
    )
  }
}
