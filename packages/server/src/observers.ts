import type { Broker } from './broker/broker.js'
import { FiguresFeed } from './dashboard/figures.js'
import { FiguresTimeline } from './dashboard/timeline.js'
import type { Timeline } from './dashboard/timeline.js'
import { DEFAULT_HISTORY_LIMITS } from './history/history.js'
import type { Log } from './log.js'
import { formatRecord } from './record/export.js'
import type { ExportFormat, RecordFilter } from './record/export.js'
import { openRecordStore } from './record/open-store.js'
import type { RecordStoreOptions } from './record/open-store.js'
import { SessionRecord } from './record/session-record.js'
import type { RecordStatus } from './record/session-record.js'
import type { RelayEvent } from './relay/relay-events.js'
import type { Presence } from './resume/presence.js'
import { LeaseHolder } from './state/lease-holder.js'
import type { SharedState } from './state/shared-state.js'

export interface ObserverOptions extends RecordStoreOptions {
  operatorToken: string | undefined
  broker: Broker
  presence: Presence
  state: SharedState
  log: Log
  sockets: () => number
  plainGaps: () => number
}

/** An export right after a process was killed still has what it had not written: the last minute is recovered first. */
const EXPORT_RECOVERS_MS = 60_000

/**
 * What watches the session for the researcher: its record (with RECORD_DIR or DATABASE_URL) and the
 * dashboard's figures (with the operator's token).
 */
export class Observers {
  readonly record: SessionRecord | undefined
  private readonly figures: FiguresFeed | undefined
  private readonly history: FiguresTimeline | undefined
  private readonly keeper: LeaseHolder
  private readonly stopPresence: () => void
  private readonly stopGone: (() => void) | undefined

  constructor(private readonly options: ObserverOptions) {
    const { broker, presence, log } = options
    const store = openRecordStore(options, log)
    const record = store && new SessionRecord(store, log)
    this.record = record
    // Messages by the process that stored them; presence events by the one process that keeps them.
    const keeper = new LeaseHolder(options.state, 'presence-keeper', log)
    this.keeper = keeper
    record?.follow(broker)
    this.stopPresence = presence.onEvent((event) => keeper.holds && record?.presenceEvent(event))
    if (record && broker.storedSince) {
      // What a process killed before its last batch stored is in history: taken back at start (this
      // process's predecessor), and when another process is found gone.
      void record.recover(broker, Date.now() - DEFAULT_HISTORY_LIMITS.maxAgeMs)
      this.stopGone = presence.onProcessGone((lastHeardAt) => void record.recover(broker, lastHeardAt - 5000))
    }
    if (options.operatorToken !== undefined) {
      const status = record && (() => record.status())
      this.figures = new FiguresFeed({ broker, presence, tellsPresence: () => keeper.holds, sockets: options.sockets, plainGaps: options.plainGaps, ...(status ? { record: status } : {}) })
      this.history = new FiguresTimeline(broker)
    }
  }

  /** Starts the figures (once the relay they count exists) and the timeline of every process's figures. */
  async start(): Promise<void> {
    await this.keeper.start()
    this.figures?.start()
    await this.history?.start()
  }

  /** The session's last ten minutes, for a dashboard that opens now. */
  timeline(): Timeline | undefined {
    return this.history?.timeline()
  }

  /** For the relay: each refusal and reconnect. */
  readonly relayEvent = (event: RelayEvent): void => {
    this.record?.relayEvent(event)
    this.figures?.relayEvent(event)
  }

  /**
   * A connection or request the connection guard refused (HTTP 429, 503): counted on the dashboard, not
   * kept in the record, since a flood of them would fill it.
   */
  httpRefusal(status: number): void {
    this.figures?.relayEvent({ type: 'refusal', code: status, reason: '', participant: null, channel: null })
  }

  /** The record as `format`, for GET /export; undefined when none is kept. */
  get exportRecord(): ((format: ExportFormat, filter: RecordFilter) => Promise<string>) | undefined {
    const { record } = this
    if (!record) return undefined
    return async (format, filter) => {
      await record.recover(this.options.broker, Date.now() - EXPORT_RECOVERS_MS)
      return formatRecord(await record.read(), format, filter)
    }
  }

  status(): RecordStatus | undefined {
    return this.record?.status()
  }

  async close(): Promise<void> {
    await this.keeper.stop()
    this.stopPresence()
    this.stopGone?.()
    this.figures?.close()
    this.history?.close()
    await this.record?.close()
  }
}
