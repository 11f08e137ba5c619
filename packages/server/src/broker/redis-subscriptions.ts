import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'
import type { createClient } from 'redis'
import { hasGap, laterId } from '../history/history.js'
import type { HistoryRead } from '../history/history.js'
import type { Log } from '../log.js'
import type { BrokerListener, GapListener } from './broker.js'
import { ForeignHold } from './foreign-hold.js'

type RedisClient = ReturnType<typeof createClient>
type Delivery = [data: string, id: MessageId | undefined, from: string | undefined]
interface Subscriber {
  message: BrokerListener
  gap: GapListener | undefined
}

export const ID_PREFIX = 'switchboard:id:'
/** Where the adopting process announces the id it gave a raw publish of another program: "<id> <payload>". */
export const ADOPTED_PREFIX = 'switchboard:adopted:'
// The mark of a relay without history (RELAY_SCRIPT): a Switchboard process's, not another program's.
const RELAYED = '-'
// Deliveries held per channel during a catch-up; the older ones past it are left to the history read.
const MAX_HELD = 10_000
// Reads of a catch-up, 200 ms more apart each time, before what a channel missed counts as unknown.
const READ_ATTEMPTS = 5
const idChannel = (channel: string) => ID_PREFIX + channel

/** What a catch-up after an outage did: messages re-delivered from history, and channels it could not fully cover. */
export interface CatchUp {
  recovered: number
  gaps: number
}

/**
 * A process's pub/sub subscriptions on Redis: one SUBSCRIBE per channel however many local listeners
 * it has, ids matched to payloads, and the catch-up after an outage. While Redis is away, pub/sub
 * loses whatever other processes publish; once it is back, each channel is read from history after
 * the newest id this process delivered on it, those messages are delivered in order, then what came
 * in live meanwhile (held until then), each once. What history no longer holds reaches the listeners
 * as a gap.
 */
export class RedisSubscriptions {
  private readonly channels = new Map<string, Set<Subscriber>>()
  private readonly subscriptions = new Map<string, Promise<void>>()
  // The id (and sending participant) announced for the next payload on each channel (see PUBLISH_SCRIPT).
  private readonly announcedIds = new Map<string, string>()
  // The newest id delivered on each channel, where its catch-up starts.
  private readonly newest = new Map<string, MessageId>()
  // Defined from an outage until its catch-up is done: what arrived meanwhile, per channel.
  private held: Map<string, Delivery[]> | undefined
  private outages = 0
  // With adoption (Dallinger mode): another program's raw publishes, waiting for their ids.
  private readonly foreign: ForeignHold | undefined

  constructor(
    private readonly subscriber: RedisClient,
    private readonly read: (channel: string, since?: MessageId) => Promise<HistoryRead>,
    private readonly log: Log,
    adoptForeign = false,
  ) {
    if (adoptForeign) this.foreign = new ForeignHold((channel, data, id) => this.accept(channel, [data, id, undefined]))
  }

  /** Raw publishes of another program that went out without an id (nobody adopted them in time). */
  get unadopted(): number {
    return this.foreign?.unadopted ?? 0
  }

  /** The pub/sub channels behind one channel: its id announcements, its adoptions (with adoption), itself. */
  private pubsubChannels(channel: string): string[] {
    return this.foreign ? [idChannel(channel), ADOPTED_PREFIX + channel, channel] : [idChannel(channel), channel]
  }

  /** Channels with local listeners. */
  get size(): number {
    return this.channels.size
  }

  async subscribe(channel: string, listener: BrokerListener, onGap?: GapListener): Promise<() => void> {
    let local = this.channels.get(channel)
    let subscribed = this.subscriptions.get(channel)
    if (!local || !subscribed) {
      const fresh = new Set<Subscriber>()
      // One SUBSCRIBE for both, so no message can fall between them; one listener for every channel.
      subscribed = this.subscriber.subscribe(this.pubsubChannels(channel), this.onMessage)
      this.channels.set(channel, fresh)
      this.subscriptions.set(channel, subscribed)
      subscribed.then(
        () => this.seed(channel),
        () => this.forget(channel, fresh),
      )
      local = fresh
    }
    const subscriber: Subscriber = { message: (data, id, from) => listener(data, id, from), gap: onGap }
    local.add(subscriber)
    // Every subscriber waits for the subscription, also one that comes while it is being made.
    try {
      await subscribed
    } catch (error) {
      local.delete(subscriber)
      throw error
    }
    return () => {
      local.delete(subscriber)
      if (local.size > 0 || !this.forget(channel, local)) return
      // With the listener given, a SUBSCRIBE that follows before Redis answers is not swallowed.
      this.subscriber.unsubscribe(this.pubsubChannels(channel), this.onMessage).catch((error: unknown) => this.log('warn', 'redis.unsubscribe_failed', { channel, error }))
    }
  }

  /**
   * The subscriber lost Redis: ids announced before are void, and what arrives from now on waits for
   * the catch-up. Each outage is numbered, so a catch-up that an outage overtook leaves the release to
   * the next one.
   */
  pause(): void {
    this.announcedIds.clear()
    this.foreign?.forgetAll()
    this.outages += 1
    this.held ??= new Map()
  }

  /** Redis is back (and resubscribed): every channel gets what it missed, then what was held. Never rejects. */
  async catchUp(): Promise<CatchUp> {
    const done: CatchUp = { recovered: 0, gaps: 0 }
    if (!this.held) return done
    const outage = this.outages
    await Promise.all(
      [...this.channels.keys()].map(async (channel) => {
        const since = this.newest.get(channel)
        if (since === undefined) return
        const read = await this.readSoon(channel, since, outage)
        // Another outage began meanwhile: its own catch-up reads this channel again, from where it got to.
        if (outage !== this.outages) return
        // Unread, what it missed is unknown: its listeners hear of a gap all the same.
        if (!read) return this.gap(channel, since, since)
        if (hasGap(read, since)) {
          done.gaps += 1
          this.gap(channel, since, read.dropped)
        }
        for (const { id, data, from } of read.messages) if (this.deliver(channel, [data, id, from], true)) done.recovered += 1
      }),
    )
    const held = this.held
    if (outage !== this.outages || !held) return done
    this.held = undefined
    for (const [channel, deliveries] of held) for (const delivery of deliveries) this.deliver(channel, delivery, true)
    return done
  }

  /** History after `since`, tried a few times (a Redis that just came back may still be loading its data). */
  private async readSoon(channel: string, since: MessageId, outage: number): Promise<HistoryRead | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.read(channel, since)
      } catch (error) {
        if (attempt === READ_ATTEMPTS || outage !== this.outages) {
          this.log('error', 'redis.catch_up_failed', { channel, error, attempts: attempt })
          return undefined
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
      }
    }
  }

  /** Drops `channel`'s local entries if they are still `local`'s; true when they were. */
  private forget(channel: string, local: Set<Subscriber>): boolean {
    if (this.channels.get(channel) !== local) return false
    this.channels.delete(channel)
    this.subscriptions.delete(channel)
    this.announcedIds.delete(channel)
    this.newest.delete(channel)
    this.foreign?.forget(channel)
    return true
  }

  /** A new subscription's catch-up point: the channel's newest id once it is subscribed. */
  private seed(channel: string): void {
    this.read(channel).then(
      (head) => {
        if (!this.channels.has(channel)) return
        const known = this.newest.get(channel)
        const start = laterId(head.last, head.dropped)
        this.newest.set(channel, known === undefined ? start : laterId(known, start))
      },
      (error: unknown) => this.log('warn', 'redis.head_failed', { channel, error }),
    )
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
    if (from.startsWith(ADOPTED_PREFIX)) {
      const space = message.indexOf(' ')
      this.foreign?.adopted(from.slice(ADOPTED_PREFIX.length), message.slice(0, space), message.slice(space + 1))
      return
    }
    const announced = this.announcedIds.get(from)
    this.announcedIds.delete(from)
    // No announcement: another program published it raw. With adoption, it waits for its id.
    if (announced === undefined && this.foreign) return this.foreign.hold(from, message)
    if (announced === RELAYED) return this.accept(from, [message, undefined, undefined])
    // "<id>" or "<id> <participant>": an id has no space, a participant may.
    const space = announced?.indexOf(' ') ?? -1
    this.accept(from, [message, space < 0 ? announced : announced?.slice(0, space), space < 0 ? undefined : announced?.slice(space + 1)])
  }

  /** A message to hand on: now, or after the catch-up of an outage. */
  private accept(from: string, delivery: Delivery): void {
    const held = this.held
    if (!held) return void this.deliver(from, delivery)
    const waiting = held.get(from)
    if (!waiting) held.set(from, [delivery])
    // What was held past the bound was published before the catch-up reads history: the read has it.
    else if (waiting.push(delivery) > MAX_HELD) waiting.splice(0, waiting.length - 1)
  }

  /**
   * Hands a message to the channel's listeners. In a catch-up (`catchingUp`), one with an id at or below
   * the newest delivered is one they already have (replayed, or by an overlapping catch-up) and is dropped.
   */
  private deliver(channel: string, [data, id, from]: Delivery, catchingUp = false): boolean {
    const subscribers = this.channels.get(channel)
    if (!subscribers) return false
    if (id !== undefined) {
      const known = this.newest.get(channel)
      if (catchingUp && known !== undefined && compareMessageIds(id, known) <= 0) return false
      this.newest.set(channel, known === undefined ? id : laterId(known, id))
    }
    for (const subscriber of [...subscribers]) {
      try {
        subscriber.message(data, id, from)
      } catch (error) {
        this.log('error', 'broker.listener_failed', { channel, error })
      }
    }
    return true
  }

  private gap(channel: string, after: MessageId, until: MessageId): void {
    this.log('warn', 'redis.gap', { channel, after, until, note: 'history no longer holds what this process missed during the outage' })
    for (const subscriber of [...(this.channels.get(channel) ?? [])]) {
      try {
        subscriber.gap?.(after, until)
      } catch (error) {
        this.log('error', 'broker.listener_failed', { channel, error })
      }
    }
  }
}
