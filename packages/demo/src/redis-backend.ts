import { createClient } from 'redis'
import type { Broker, BrokerListener, BrokerStatus } from './broker.js'
import type { Log } from './log.js'
import type { SharedState } from './shared-state.js'

type RedisClient = ReturnType<typeof createClient>

// Shared state lives under this prefix; pub/sub channel names stay raw, as Dallinger's are.
const KEY_PREFIX = 'switchboard:'

/**
 * Broker and shared state on Redis, for several server processes serving one experiment (and for
 * sharing a Redis with a real Dallinger server). One subscription per channel per process, dropped
 * when its last local listener leaves. Redis going away does not crash the server: the client
 * reconnects and resubscribes, and the outage is logged and reported by `status()`.
 */
export class RedisBackend implements Broker, SharedState {
  private readonly listeners = new Map<string, Set<BrokerListener>>()
  private readonly state: BrokerStatus = { kind: 'redis', connected: true, outages: 0, lostPublishes: 0 }
  private downSince: number | undefined

  private constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly log: Log,
  ) {
    for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
      client.on('error', (error: unknown) => this.down(role, error))
      client.on('ready', () => this.up())
    }
  }

  /** Connects to `url` (e.g. `redis://127.0.0.1:6379`). */
  static async connect(url: string, log: Log): Promise<RedisBackend> {
    const options = {
      url,
      // Publishes fail at once while Redis is away instead of piling up in memory; each one is counted.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    }
    const publisher = createClient(options)
    const subscriber = createClient(options)
    const backend = new RedisBackend(publisher, subscriber, log)
    await Promise.all([publisher.connect(), subscriber.connect()])
    log('info', 'redis.connected', { url: url.replace(/\/\/[^@]*@/, '//***@') })
    return backend
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<() => void> {
    let local = this.listeners.get(channel)
    if (!local) {
      local = new Set()
      this.listeners.set(channel, local)
      await this.subscriber.subscribe(channel, (message) => this.deliver(channel, message))
    }
    const wrapped: BrokerListener = (data) => listener(data)
    local.add(wrapped)
    return () => {
      local.delete(wrapped)
      if (local.size > 0 || this.listeners.get(channel) !== local) return
      this.listeners.delete(channel)
      this.subscriber.unsubscribe(channel).catch((error: unknown) => this.log('warn', 'redis.unsubscribe_failed', { channel, error }))
    }
  }

  publish(channel: string, data: string): void {
    this.publisher.publish(channel, data).catch((error: unknown) => {
      this.state.lostPublishes += 1
      this.log('error', 'redis.publish_lost', { channel, error, lostPublishes: this.state.lostPublishes })
    })
  }

  status(): BrokerStatus {
    return { ...this.state }
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

  private deliver(channel: string, data: string): void {
    for (const listener of [...(this.listeners.get(channel) ?? [])]) {
      try {
        listener(data)
      } catch (error) {
        this.log('error', 'broker.listener_failed', { channel, error })
      }
    }
  }

  private down(role: string, error: unknown): void {
    if (this.downSince !== undefined) return
    this.downSince = Date.now()
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
