import { randomUUID } from 'node:crypto'
import type { Broker } from '../broker/broker.js'
import type { Log } from '../log.js'
import { GraceQueue } from './grace-queue.js'
import { NONE_OPENED, channelCount, openedOn, type OpenedOn, withChannel } from './opened-on.js'

/** How presence is kept: how long a participant may be away before it counts as gone, and how processes agree. */
export interface PresenceLimits {
  /** A participant with no socket on a channel counts as gone only after this long; a reconnect within it is no leave. @default 10000 */
  graceMs: number
  /** How often each process tells the others which sockets it holds. @default 5000 */
  snapshotEveryMs: number
  /** A process not heard from for this long is gone (killed), and with it its sockets. @default 15000 */
  processTtlMs: number
}

export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = { graceMs: 10_000, snapshotEveryMs: 5000, processTtlMs: 15_000 }

/** A participant came (its first socket on the channel) or went (its last one, and the grace period passed). */
export interface PresenceEvent {
  type: 'join' | 'leave'
  channel: string
  participant: string
}

/** A participant's connection, as the experiment and operators see it. */
export interface ConnectionQuality {
  /** The round trip of the last protocol ping to one of its sockets, in ms; undefined before the first. */
  rttMs: number | undefined
  /** Sockets it opened again on a channel it had been on (reconnects, reloads), over every process. */
  reconnects: number
}

type Counts = Map<string, number>
interface Leave {
  channel: string
  participant: string
}
interface Snapshot {
  process: string
  /** A process that just started asks the others to tell at once. */
  ask?: boolean
  channels: Record<string, Record<string, number>>
  /** Per participant with a socket here: [rttMs or null, reconnects]. */
  quality?: Record<string, [number | null, number]>
}

// Raw channel names have no ':', so no page can subscribe to this one or publish on it.
const PRESENCE_CHANNEL = 'switchboard:presence'

/**
 * Who is on each channel, by participant rather than by socket (several tabs and a reconnect are one
 * presence), over every process: each process counts its own sockets and tells the others, now and
 * then and on every change, through the broker; a process that stops telling (killed) is dropped.
 * A participant left only once it has had no socket anywhere for `graceMs`.
 */
export class Presence {
  private readonly limits: PresenceLimits
  private readonly id = randomUUID()
  private readonly ownPrefix = `{"process":${JSON.stringify(this.id)},` // how its own snapshots begin
  private readonly local = new Map<string, Counts>()
  private readonly others = new Map<string, { seenAt: number; channels: Map<string, Counts>; quality: Snapshot['quality'] }>()
  // Each participant's connection as this process saw it: last RTT, sockets opened, and on which channels (few: see OpenedOn).
  private readonly quality = new Map<string, { rttMs: number | undefined; opened: number; channels: OpenedOn }>()
  // What listeners were told is present, per channel, and on how many channels each participant is.
  private readonly told = new Map<string, Set<string>>()
  private readonly presentOn = new Map<string, number>()
  private readonly leaving: GraceQueue<Leave> // the leaves waiting out the grace period, by `channel\nparticipant`
  // How long the last snapshot took to make: the next waits ten times as long, so telling costs a bounded share.
  private tellMs = 0
  private askedAt = Number.NEGATIVE_INFINITY // when another process asked: it is told of changes before it says anything
  private readonly watchers = new Map<string, Set<(event: PresenceEvent) => void>>()
  private readonly everyone = new Set<(event: PresenceEvent) => void>()
  private readonly gone = new Set<(lastHeardAt: number) => void>()
  private timer: ReturnType<typeof setInterval> | undefined
  private pending: ReturnType<typeof setTimeout> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly broker: Broker,
    private readonly log: Log,
    limits: Partial<PresenceLimits> = {},
  ) {
    this.limits = { ...DEFAULT_PRESENCE_LIMITS, ...limits }
    this.leaving = new GraceQueue(this.limits.graceMs, (leave) => this.left(leave))
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.broker.subscribe(PRESENCE_CHANNEL, (data) => this.heard(data))
    this.timer = setInterval(() => this.tick(), this.limits.snapshotEveryMs)
    this.timer.unref()
    // Just started (or restarted): the others say at once who they hold, instead of within 5 s.
    void this.broker.relayOnly(PRESENCE_CHANNEL, JSON.stringify({ process: this.id, ask: true, channels: {} } satisfies Snapshot))
  }

  stop(): void {
    clearInterval(this.timer)
    clearTimeout(this.pending)
    this.leaving.stop()
    this.unsubscribe?.()
  }

  /**
   * A socket of `participant` on `channel` opened (+1) or closed (−1) in this process. True when the
   * one that opened is a reconnect: the participant had had a socket on the channel here before.
   */
  count(channel: string, participant: string, delta: 1 | -1): boolean {
    let reconnect = false
    if (delta > 0) {
      const quality = this.quality.get(participant) ?? { rttMs: undefined, opened: 0, channels: NONE_OPENED }
      quality.opened += 1
      reconnect = openedOn(quality.channels, channel)
      if (!reconnect) quality.channels = withChannel(quality.channels, channel)
      this.quality.set(participant, quality)
    }
    const counts = this.local.get(channel) ?? new Map<string, number>()
    const next = (counts.get(participant) ?? 0) + delta
    if (next > 0) counts.set(participant, next)
    else counts.delete(participant)
    if (counts.size > 0) this.local.set(channel, counts)
    else this.local.delete(channel)
    // Only this participant changed: settling it alone keeps a connect or close O(1) on a crowded channel.
    this.settle(channel, participant)
    // Alone (no other process heard of, none asking), there is nobody to tell at once: the tick tells anyway.
    if (this.others.size > 0 || Date.now() - this.askedAt < this.limits.processTtlMs) this.pending ??= setTimeout(() => this.tell(), Math.max(20, 10 * this.tellMs))
    return reconnect
  }

  /** The round trip just measured to a socket of `participant`, kept in whole ms: a small integer is held in the record itself, where a difference of clock readings would be a 16-byte number object. */
  rtt(participant: string, ms: number): void {
    const quality = this.quality.get(participant)
    if (quality) quality.rttMs = Math.round(ms)
  }

  /** `participant`'s connection quality, over every process; undefined for one never seen. */
  qualityOf(participant: string): ConnectionQuality | undefined {
    const local = this.quality.get(participant)
    let found = local ? { rttMs: local.rttMs, reconnects: local.opened - channelCount(local.channels) } : undefined
    for (const { quality } of this.others.values()) {
      const [rttMs, reconnects] = quality?.[participant] ?? []
      if (reconnects === undefined) continue
      found = { rttMs: found?.rttMs ?? rttMs ?? undefined, reconnects: (found?.reconnects ?? 0) + reconnects }
    }
    return found
  }

  /** Every participant present on some channel, with its connection quality (GET /status). */
  qualities(): Record<string, ConnectionQuality> {
    return Object.fromEntries([...this.presentOn.keys()].flatMap((participant) => {
      const quality = this.qualityOf(participant)
      return quality ? [[participant, quality]] : []
    }))
  }

  /** How many participants are present on each channel. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.told].map(([channel, participants]) => [channel, participants.size]))
  }

  /** Who is present on `channel` now (those in their grace period included), in the order they came. */
  of(channel: string): string[] {
    return [...(this.told.get(channel) ?? [])]
  }

  /** Calls `listener` with each join and leave on `channel`; returns the function that stops it. */
  watch(channel: string, listener: (event: PresenceEvent) => void): () => void {
    const listeners = this.watchers.get(channel) ?? new Set()
    this.watchers.set(channel, listeners.add(listener))
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0) this.watchers.delete(channel)
    }
  }

  /** Calls `listener` with every join and leave, on every channel (the experiment host); returns the function that stops it. */
  onEvent(listener: (event: PresenceEvent) => void): () => void {
    this.everyone.add(listener)
    return () => this.everyone.delete(listener)
  }

  /** Calls `listener` with the time another process was last heard from, once it counts as gone (killed). */
  onProcessGone(listener: (lastHeardAt: number) => void): () => void {
    this.gone.add(listener)
    return () => this.gone.delete(listener)
  }

  private heard(data: string): void {
    // Its own snapshot, echoed: not worth parsing.
    if (data.startsWith(this.ownPrefix)) return
    let snapshot: Snapshot
    try {
      snapshot = JSON.parse(data) as Snapshot
    } catch {
      return
    }
    // Only the processes of this server write here, but what comes from Redis is checked all the same.
    if (typeof snapshot !== 'object' || snapshot === null || typeof snapshot.process !== 'string' || snapshot.process === this.id) return
    if (snapshot.ask) {
      this.askedAt = Date.now()
      return this.tell()
    }
    if (typeof snapshot.channels !== 'object' || snapshot.channels === null) return
    const before = this.others.get(snapshot.process)?.channels
    const channels = new Map(Object.entries(snapshot.channels).map(([channel, counts]) => [channel, new Map(Object.entries(counts))]))
    this.others.set(snapshot.process, { seenAt: Date.now(), channels, quality: snapshot.quality })
    // Who came first (in the snapshot's order), then who is no longer in it.
    for (const [channel, counts] of channels) for (const participant of counts.keys()) this.settle(channel, participant)
    for (const [channel, counts] of before ?? []) {
      const now = channels.get(channel)
      for (const participant of counts.keys()) if (!now?.has(participant)) this.settle(channel, participant)
    }
  }

  private tick(): void {
    // Cut off from the others (Redis away), this process hears nobody: that is no reason to think them gone.
    if (!this.broker.status().connected) {
      for (const other of this.others.values()) other.seenAt = Date.now()
      return
    }
    const cutoff = Date.now() - this.limits.processTtlMs
    for (const [process, { seenAt, channels }] of this.others) {
      if (seenAt >= cutoff) continue
      this.others.delete(process)
      this.log('warn', 'presence.process_gone', { channels: channels.size })
      for (const [channel, counts] of channels) for (const participant of counts.keys()) this.settle(channel, participant)
      for (const listener of this.gone) listener(seenAt)
    }
    this.tell()
  }

  /** Tells the other processes which sockets this one holds. */
  private tell(): void {
    clearTimeout(this.pending)
    this.pending = undefined
    if (!this.broker.status().connected) return
    const startedAt = performance.now()
    const channels = Object.fromEntries([...this.local].map(([channel, counts]) => [channel, Object.fromEntries(counts)]))
    const here = new Set([...this.local.values()].flatMap((counts) => [...counts.keys()]))
    const quality = Object.fromEntries(
      [...here].flatMap((participant): Array<[string, [number | null, number]]> => {
        const q = this.quality.get(participant)
        return q ? [[participant, [q.rttMs ?? null, q.opened - channelCount(q.channels)]]] : []
      }),
    )
    const snapshot = JSON.stringify({ process: this.id, channels, quality } satisfies Snapshot)
    this.tellMs = performance.now() - startedAt
    void this.broker.relayOnly(PRESENCE_CHANNEL, snapshot)
  }

  /** Whether `participant` has a socket on `channel` in any process. */
  private isHere(channel: string, participant: string): boolean {
    if (this.local.get(channel)?.has(participant)) return true
    if (this.others.size === 0) return false
    for (const { channels } of this.others.values()) if (channels.get(channel)?.has(participant)) return true
    return false
  }

  /** A join if `participant` came to `channel`, a grace period if it went, nothing if neither. */
  private settle(channel: string, participant: string): void {
    const key = `${channel}\n${participant}`
    const told = this.told.get(channel)
    if (this.isHere(channel, participant)) {
      // Back within the grace period: it never left.
      if ((this.leaving.size > 0 && this.leaving.delete(key)) || told?.has(participant)) return
      this.told.set(channel, (told ?? new Set<string>()).add(participant))
      this.presentOn.set(participant, (this.presentOn.get(participant) ?? 0) + 1)
      return this.emit({ type: 'join', channel, participant })
    }
    if (told?.has(participant)) this.leaving.add(key, { channel, participant })
  }

  /** The grace period is over: a leave, unless the participant is back. */
  private left({ channel, participant }: Leave): void {
    if (this.isHere(channel, participant)) return
    const told = this.told.get(channel)
    if (!told?.delete(participant)) return
    if (told.size === 0) this.told.delete(channel)
    const on = (this.presentOn.get(participant) ?? 1) - 1
    if (on > 0) this.presentOn.set(participant, on)
    else {
      // Gone from every channel: its connection record goes too.
      this.presentOn.delete(participant)
      this.quality.delete(participant)
    }
    this.emit({ type: 'leave', channel, participant })
  }

  private emit(event: PresenceEvent): void {
    const watching = this.watchers.get(event.channel)
    // A copy: a listener may stop, or start again, as it hears.
    for (const listener of watching ? [...watching, ...this.everyone] : [...this.everyone]) {
      try {
        listener(event)
      } catch (error) {
        this.log('error', 'presence.listener_failed', { channel: event.channel, error })
      }
    }
  }
}
