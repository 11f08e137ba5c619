import type { createClient } from 'redis'
import type { Log } from '../log.js'
import type { LeaseHolder } from '../state/lease-holder.js'

type RedisClient = ReturnType<typeof createClient>

const ID_PREFIX = 'switchboard:id:'

/**
 * Gives what another program publishes straight into Redis (Dallinger's Python: `PUBLISH` on raw
 * channel names) an id and a place in history, exactly once however many Switchboard processes see
 * it: only the process holding the `adopter` lease adopts. It listens to every channel (PSUBSCRIBE *)
 * on a connection of its own; a raw payload not announced by a Switchboard process (an id, or the
 * mark of a relay) just before it on the same channel is another program's. Names with a colon are
 * Switchboard's own (and no page's).
 */
export class RedisAdopter {
  private readonly announced = new Set<string>()
  /** Raw publishes this process adopted. */
  adopted = 0

  /** Whether this process is the one adopting now. */
  get holds(): boolean {
    return this.lease.holds
  }

  private constructor(
    private readonly client: RedisClient,
    private readonly lease: LeaseHolder,
    private readonly adopt: (channel: string, data: string) => Promise<void>,
    private readonly log: Log,
  ) {}

  static async start(client: RedisClient, lease: LeaseHolder, adopt: (channel: string, data: string) => Promise<void>, log: Log): Promise<RedisAdopter> {
    const adopter = new RedisAdopter(client, lease, adopt, log)
    client.on('error', (error: unknown) => log('debug', 'redis.adopter_error', { error }))
    // A reconnection drops what was announced before it: the next raw payload of a channel is judged anew.
    client.on('ready', () => adopter.announced.clear())
    await client.connect()
    await client.pSubscribe('*', adopter.heard)
    await lease.start()
    return adopter
  }

  async close(): Promise<void> {
    this.lease.stop()
    await this.client.quit().catch(() => undefined)
  }

  private readonly heard = (message: string, channel: string): void => {
    if (channel.startsWith(ID_PREFIX)) return void this.announced.add(channel.slice(ID_PREFIX.length))
    if (channel.includes(':')) return
    if (this.announced.delete(channel) || !this.lease.holds) return
    this.adopted += 1
    this.adopt(channel, message).catch((error: unknown) => this.log('error', 'redis.adopt_failed', { channel, error }))
  }
}
