import { createHash } from 'node:crypto'
import type { MessageId } from '@switchboard/client'
import { createClient } from 'redis'
import type { Broker, BrokerListener, BrokerStatus, PublishOutcome } from './broker.js'
import { DEFAULT_HISTORY_LIMITS, MESSAGE_OVERHEAD_BYTES, beforeEpoch, laterId } from '../history/history.js'
import type { HistoryLimits, HistoryRead, HistoryStats, StoredMessage } from '../history/history.js'
import { ReplayGate } from '../history/replay-gate.js'
import { DEFAULT_REPLAY_LIMITS } from '../history/replay-limits.js'
import type { ReplayLimits } from '../history/replay-limits.js'
import type { Log } from '../log.js'
import { FORGO_SCRIPT, PUBLISH_SCRIPT, READ_SCRIPT } from './redis-scripts.js'
import { DEFAULT_SEND_WINDOW } from '../history/send-window.js'
import type { Sender, SendWindowLimits } from '../history/send-window.js'
import type { SharedState } from '../state/shared-state.js'

type RedisClient = ReturnType<typeof createClient>

// Shared state, history streams and sender sessions live under this prefix; pub/sub channel names
// stay raw, as Dallinger's are, and each has a companion channel that announces message ids.
const KEY_PREFIX = 'switchboard:'
const historyKey = (channel: string) => `${KEY_PREFIX}history:${channel}`
const ID_PREFIX = `${KEY_PREFIX}id:`
const idChannel = (channel: string) => ID_PREFIX + channel
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
}

interface Script {
  text: string
  sha: string
}

const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') })
const PUBLISH = script(PUBLISH_SCRIPT)
const READ = script(READ_SCRIPT)
const FORGO = script(FORGO_SCRIPT)

/**
 * Broker and shared state on Redis, for several server processes serving one experiment (and for
 * sharing a Redis with a real Dallinger server). One subscription per channel per process, dropped
 * when its last local listener leaves. Redis going away does not crash the server: the client
 * reconnects and resubscribes, and the outage is logged and reported by `status()`.
 */
export class RedisBackend implements Broker, SharedState {
  private readonly listeners = new Map<string, Set<BrokerListener>>()
  private readonly subscriptions = new Map<string, Promise<void>>()
  // The id (and sending participant) announced for the next payload on each channel (see PUBLISH_SCRIPT).
  private readonly announcedIds = new Map<string, string>()
  private readonly historyLimits: HistoryLimits
  private readonly sendWindow: SendWindowLimits
  private readonly replay: ReplayLimits
  private readonly replays: ReplayGate
  private readonly state: BrokerStatus = { kind: 'redis', connected: true, outages: 0, lostPublishes: 0 }
  private downSince: number | undefined

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
      socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    }
    const publisher = createClient(options)
    const subscriber = createClient(options)
    const backend = new RedisBackend(publisher, subscriber, log, backendOptions)
    await Promise.all([publisher.connect(), subscriber.connect()])
    log('info', 'redis.connected', { url: url.replace(/\/\/[^@]*@/, '//***@') })
    return backend
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<() => void> {
    let local = this.listeners.get(channel)
    let subscribed = this.subscriptions.get(channel)
    if (!local || !subscribed) {
      const fresh = new Set<BrokerListener>()
      // One SUBSCRIBE for both, so no message can fall between them; one listener for every channel.
      subscribed = this.subscriber.subscribe([idChannel(channel), channel], this.onMessage)
      this.listeners.set(channel, fresh)
      this.subscriptions.set(channel, subscribed)
      subscribed.catch(() => this.forget(channel, fresh))
      local = fresh
    }
    const wrapped: BrokerListener = (data, id, from) => listener(data, id, from)
    local.add(wrapped)
    // Every subscriber waits for the subscription, also one that comes while it is being made.
    try {
      await subscribed
    } catch (error) {
      local.delete(wrapped)
      throw error
    }
    return () => {
      local.delete(wrapped)
      if (local.size > 0 || !this.forget(channel, local)) return
      // With the listener given, a SUBSCRIBE that follows before Redis answers is not swallowed.
      this.subscriber.unsubscribe([idChannel(channel), channel], this.onMessage).catch((error: unknown) => this.log('warn', 'redis.unsubscribe_failed', { channel, error }))
    }
  }

  /** Drops `channel`'s local entries if they are still `local`'s; true when they were. */
  private forget(channel: string, local: Set<BrokerListener>): boolean {
    if (this.listeners.get(channel) !== local) return false
    this.listeners.delete(channel)
    this.subscriptions.delete(channel)
    this.announcedIds.delete(channel)
    return true
  }

  /**
   * Every pub/sub message of this process: an id announced on `switchboard:id:<channel>` is kept for
   * the payload that follows it on `<channel>` (raw channel names never contain ':').
   */
  private readonly onMessage = (message: string, from: string): void => {
    if (from.startsWith(ID_PREFIX)) {
      this.announcedIds.set(from.slice(ID_PREFIX.length), message)
      return
    }
    const announced = this.announcedIds.get(from)
    this.announcedIds.delete(from)
    // "<id>" or "<id> <participant>": an id has no space, a participant may.
    const space = announced?.indexOf(' ') ?? -1
    this.deliver(from, message, space < 0 ? announced : announced?.slice(0, space), space < 0 ? undefined : announced?.slice(space + 1))
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
      return (await this.run(PUBLISH, keys, args)) === null ? 'duplicate' : 'published'
    } catch (error) {
      this.state.lostPublishes += 1
      this.log('error', 'redis.publish_lost', { channel, error, lostPublishes: this.state.lostPublishes })
      return 'lost'
    }
  }

  async history(channel: string, since?: MessageId): Promise<HistoryRead> {
    if (since === undefined) return this.read(channel, '')
    return this.replays.run(() => this.read(channel, since))
  }

  private async read(channel: string, since: string): Promise<HistoryRead> {
    const { keys, args } = this.scriptInput(channel, since)
    const reply = await this.run(READ, keys, args)
    const [last, dropped, entries, epoch, cut] = reply as [string, string, Array<[string, string[]]>, string, string]
    const messages: StoredMessage[] = entries.map(([id, fields]) => ({ id, data: fields[1] ?? '' }))
    // Everything before this Redis's epoch is unknown to it: dropped, as far as a reader can tell.
    // So is what the replay bounds left out (cut).
    const unknown = beforeEpoch(Number(epoch))
    return { last, dropped: laterId(laterId(dropped, unknown), cut || '0-0'), messages }
  }

  /** Bytes and channels of history held on this Redis, by every process together. */
  async historyStats(): Promise<HistoryStats> {
    const [bytes, channels] = await Promise.all([this.publisher.get(BYTES_KEY), this.publisher.zCard(CHANNELS_KEY)])
    return { bytes: Number(bytes ?? 0), channels }
  }

  /** Runs a script by its hash, loading it first when Redis does not have it (a new or restarted Redis). */
  private async run(lua: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.publisher.evalSha(lua.sha, { keys, arguments: args })
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error
      return this.publisher.eval(lua.text, { keys, arguments: args })
    }
  }

  async forgo(sender: Sender): Promise<void> {
    try {
      await this.run(FORGO, [`${KEY_PREFIX}session:${sender.session}`], [String(sender.seq), String(this.sendWindow.sessionTtlMs)])
    } catch (error) {
      this.log('warn', 'redis.forgo_failed', { error })
    }
  }

  async relayOnly(channel: string, data: string): Promise<PublishOutcome> {
    try {
      // A plain PUBLISH, as Dallinger's own: no id is announced, nothing is stored.
      await this.publisher.publish(channel, data)
      return 'published'
    } catch (error) {
      this.state.lostPublishes += 1
      this.log('error', 'redis.publish_lost', { channel, error, lostPublishes: this.state.lostPublishes })
      return 'lost'
    }
  }

  status(): BrokerStatus {
    return { ...this.state, replays: this.replays.status() }
  }

  async increment(key: string): Promise<number> {
    return this.publisher.incr(KEY_PREFIX + key)
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.publisher.get(KEY_PREFIX + key)) ?? undefined
  }

  async set(key: string, value: string): Promise<void> {
    await this.publisher.set(KEY_PREFIX + key, value)
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.publisher.set(KEY_PREFIX + key, value, { condition: 'NX' })
    return (await this.publisher.get(KEY_PREFIX + key)) ?? value
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()])
  }

  private deliver(channel: string, data: string, id: MessageId | undefined, from: string | undefined): void {
    for (const listener of [...(this.listeners.get(channel) ?? [])]) {
      try {
        listener(data, id, from)
      } catch (error) {
        this.log('error', 'broker.listener_failed', { channel, error })
      }
    }
  }

  private down(role: string, error: unknown): void {
    if (this.downSince !== undefined) return
    this.downSince = Date.now()
    this.announcedIds.clear()
    this.state.connected = false
    this.state.outages += 1
    this.log('error', 'redis.down', { role, error, note: 'messages published by other processes meanwhile are not delivered here' })
  }

  private up(): void {
    if (this.downSince === undefined || !this.publisher.isReady || !this.subscriber.isReady) return
    const durationMs = Date.now() - this.downSince
    this.state.lastOutage = { startedAt: new Date(this.downSince).toISOString(), durationMs, channels: this.listeners.size }
    this.state.connected = true
    this.downSince = undefined
    this.log('warn', 'redis.up', {
      durationMs,
      resubscribedChannels: this.listeners.size,
      lostPublishes: this.state.lostPublishes,
      lost: `subscribers here missed whatever was published on ${this.listeners.size} channel(s) during ${durationMs} ms`,
    })
  }
}
