import { randomUUID } from 'node:crypto'
import type { Broker, BrokerStatus } from '../broker/broker.js'
import { DASHBOARD_CHANNEL } from '../protocol/control.js'
import type { RecordStatus } from '../record/session-record.js'
import type { RelayEvent } from '../relay/relay-events.js'
import type { Presence } from '../resume/presence.js'

/** Channels named in a second's message counts; the rest are summed as `(other)`, so hundreds of rooms stay one line. */
export const MAX_NAMED_CHANNELS = 12

/**
 * What one process tells the dashboard each second, on {@link DASHBOARD_CHANNEL} (relayed, never in
 * history). The page sums the processes' counts; who is present, and how well connected, is the same
 * over every process (presence), so only the process that keeps presence events sends it.
 */
export interface Figures {
  type: 'figures'
  process: string
  /** ms since the epoch, by this process's clock. */
  at: number
  sockets: number
  /** Messages this process stored in the last second, by channel. */
  messages: Record<string, number>
  /** Refusals since this process started, by close code. */
  refusals: Record<string, number>
  reconnects: number
  /** Gaps told to plain sockets, and channels whose last outage history could not cover. */
  gaps: number
  broker: Pick<BrokerStatus, 'kind' | 'connected' | 'outages' | 'lostPublishes'>
  record?: Pick<RecordStatus, 'kind' | 'written' | 'waiting' | 'failures' | 'dropped' | 'recovered'>
  /** Who is present, with [RTT ms or null, reconnects], and how many are on each channel. */
  presence?: { participants: Record<string, [number | null, number]>; channels: Record<string, number> }
}

export interface FiguresSources {
  broker: Broker
  presence: Presence
  /** Whether this process sends presence now (the one that keeps presence events). */
  tellsPresence: () => boolean
  sockets: () => number
  plainGaps: () => number
  record?: () => RecordStatus
}

/** Counts what this process does and sends it to the dashboard channel once a second. */
export class FiguresFeed {
  private readonly process = randomUUID().slice(0, 8)
  private messages = new Map<string, number>()
  private readonly refusals = new Map<number, number>()
  private reconnects = 0
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly stop: () => void

  constructor(
    private readonly sources: FiguresSources,
    private readonly everyMs = 1000,
  ) {
    this.stop = sources.broker.onPublished(({ channel }) => {
      if (channel !== DASHBOARD_CHANNEL) this.messages.set(channel, (this.messages.get(channel) ?? 0) + 1)
    })
  }

  /** Sends the figures once a second from now on (once what they are read from exists). */
  start(): void {
    this.timer ??= setInterval(() => this.send(), this.everyMs)
    this.timer.unref()
  }

  private send(): void {
    try {
      void this.sources.broker.relayOnly(DASHBOARD_CHANNEL, JSON.stringify(this.take()))
    } catch {
      // A source that fails (it cannot, but a timer must never throw) skips a second.
    }
  }

  relayEvent(event: RelayEvent): void {
    if (event.type === 'reconnect') this.reconnects += 1
    else this.refusals.set(event.code, (this.refusals.get(event.code) ?? 0) + 1)
  }

  /** This second's figures; the message counts start again from zero. */
  take(): Figures {
    const { broker, presence, tellsPresence, sockets, plainGaps, record } = this.sources
    const { kind, connected, outages, lostPublishes, lastOutage } = broker.status()
    const figures: Figures = {
      type: 'figures',
      process: this.process,
      at: Date.now(),
      sockets: sockets(),
      messages: named(this.messages),
      refusals: Object.fromEntries(this.refusals),
      reconnects: this.reconnects,
      gaps: plainGaps() + (lastOutage?.gaps ?? 0),
      broker: { kind, connected, outages, lostPublishes },
    }
    this.messages = new Map()
    if (record) {
      const { kind: store, written, waiting, failures, dropped, recovered } = record()
      figures.record = { kind: store, written, waiting, failures, dropped, recovered }
    }
    if (tellsPresence()) {
      const participants = Object.fromEntries(Object.entries(presence.qualities()).map(([id, quality]) => [id, [quality.rttMs ?? null, quality.reconnects] as [number | null, number]]))
      figures.presence = { participants, channels: presence.counts() }
    }
    return figures
  }

  close(): void {
    clearInterval(this.timer)
    this.stop()
  }
}

/** The busiest channels by name, the rest together. */
function named(counts: Map<string, number>): Record<string, number> {
  const ranked = [...counts].sort((a, b) => b[1] - a[1])
  const out: Record<string, number> = Object.fromEntries(ranked.slice(0, MAX_NAMED_CHANNELS))
  const other = ranked.slice(MAX_NAMED_CHANNELS).reduce((sum, [, n]) => sum + n, 0)
  if (other > 0) out['(other)'] = other
  return out
}
