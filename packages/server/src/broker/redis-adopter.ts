import type { createClient } from 'redis'
import type { Log } from '../log.js'
import type { LeaseHolder } from '../state/lease-holder.js'
import { ADOPTION_WAIT_MS } from './foreign-hold.js'
import { ADOPTED_PREFIX, ID_PREFIX } from './redis-subscriptions.js'

type RedisClient = ReturnType<typeof createClient>

/** The adopter's lease: short, so that a killed adopter is replaced within a few seconds. */
export const ADOPTER_LEASE_MS = 3000
// Longer than the lease and one renewal: a running process always takes a killed adopter's place
// before a restarted one may, since only a running one saw what was published meanwhile.
const ADOPTER_START_WAIT_MS = ADOPTER_LEASE_MS + 1500
// A raw payload nobody adopted for this long is its predecessor's leftover: the holder adopts it.
const LEFTOVER_MS = 500

/**
 * Gives what another program publishes straight into Redis (Dallinger's Python: `PUBLISH` on raw
 * channel names) an id and a place in history, exactly once however many Switchboard processes see
 * it: only the process holding the `adopter` lease adopts. Every process in Dallinger mode listens to
 * every channel (PSUBSCRIBE *) on a connection of its own; a raw payload not announced by a Switchboard
 * process (an id, or the mark of a relay) just before it on the same channel is another program's.
 * Names with a colon are Switchboard's own (and no page's). Each process also keeps the raw payloads
 * of the last seconds that no adoption followed yet, so that a process that takes the lease over
 * (its holder was killed) adopts what was left, in order, before the others give up waiting.
 */
export class RedisAdopter {
  private readonly announced = new Set<string>()
  // Per channel, raw payloads not adopted yet, in the order they came; `held` when heard with the lease.
  private readonly pending = new Map<string, Array<{ data: string; at: number; held: boolean }>>()
  private readonly timer: ReturnType<typeof setInterval>
  private queue: Promise<void> = Promise.resolve()
  /** Raw publishes this process adopted. */
  adopted = 0

  private constructor(
    private readonly client: RedisClient,
    private readonly lease: LeaseHolder,
    private readonly adopt: (channel: string, data: string) => Promise<void>,
    private readonly log: Log,
  ) {
    this.timer = setInterval(() => this.leftovers(), LEFTOVER_MS / 2)
    this.timer.unref()
  }

  static async start(client: RedisClient, lease: LeaseHolder, adopt: (channel: string, data: string) => Promise<void>, log: Log): Promise<RedisAdopter> {
    const adopter = new RedisAdopter(client, lease, adopt, log)
    client.on('error', (error: unknown) => log('debug', 'redis.adopter_error', { error }))
    // A lost connection drops what was announced before it: the next raw payload of a channel is judged anew.
    client.on('reconnecting', () => adopter.announced.clear())
    await client.connect()
    await client.pSubscribe('*', adopter.heard)
    // A process that just started listens a while before it adopts: a running one takes over a
    // restarted adopter's lease first, and it knows what was published while that one was away.
    await lease.start(ADOPTER_START_WAIT_MS)
    return adopter
  }

  /** Whether this process is the one adopting now. */
  get holds(): boolean {
    return this.lease.holds
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.lease.stop()
    await this.client.quit().catch(() => undefined)
  }

  private readonly heard = (message: string, channel: string): void => {
    if (channel.startsWith(ID_PREFIX)) return void this.announced.add(channel.slice(ID_PREFIX.length))
    if (channel.startsWith(ADOPTED_PREFIX)) return this.settled(channel.slice(ADOPTED_PREFIX.length), message.slice(message.indexOf(' ') + 1))
    if (channel.includes(':') || this.announced.delete(channel)) return
    const held = this.lease.holds
    const queue = this.pending.get(channel)
    // With the lease and nothing left over on the channel, at once; else behind the leftovers, so ids keep the order of publishing.
    if (held && !queue) return this.take(channel, message)
    const entry = { data: message, at: Date.now(), held }
    if (queue) queue.push(entry)
    else this.pending.set(channel, [entry])
  }

  /** Another process adopted `data`: it is no leftover. */
  private settled(channel: string, data: string): void {
    const queue = this.pending.get(channel)
    const at = queue?.findIndex((entry) => entry.data === data) ?? -1
    if (queue && at >= 0) queue.splice(at, 1)
    if (queue?.length === 0) this.pending.delete(channel)
  }

  /**
   * With the lease, what nobody adopted for a while is adopted now, in order, and with it what came
   * behind it since this process holds the lease; what is too old to be waited for is forgotten.
   */
  private leftovers(): void {
    const now = Date.now()
    const holds = this.lease.holds
    for (const [channel, queue] of this.pending) {
      while (queue[0] && now - queue[0].at >= ADOPTION_WAIT_MS - LEFTOVER_MS) queue.shift()
      for (let head = queue[0]; holds && head && (head.held || now - head.at >= LEFTOVER_MS); head = queue[0]) this.take(channel, queue.shift()?.data ?? '')
      if (queue.length === 0) this.pending.delete(channel)
    }
  }

  /** Adopts one after another, in the order they came: ids follow Python's order even while Redis loads the script. */
  private take(channel: string, data: string): void {
    this.adopted += 1
    this.queue = this.queue.then(() => this.adopt(channel, data)).catch((error: unknown) => this.log('error', 'redis.adopt_failed', { channel, error }))
  }
}
