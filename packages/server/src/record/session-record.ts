import type { Broker, PublishedMessage } from '../broker/broker.js'
import type { Log } from '../log.js'
import type { RelayEvent } from '../relay/relay-events.js'
import type { Presence, PresenceEvent } from '../resume/presence.js'
import { idTime } from './record-row.js'
import type { RecordRow } from './record-row.js'
import type { RecordStore } from './record-store.js'

/** What the record tells operators (GET /status). */
export interface RecordStatus {
  kind: RecordStore['kind']
  where: string
  /** Rows written by this process. */
  written: number
  /** Rows waiting for the next batch (more while the store fails). */
  waiting: number
  /** Batches the store refused (each tried again with the next). */
  failures: number
  /** Rows given up after the store had failed for so long that {@link MAX_WAITING} were waiting. */
  dropped: number
  /** Messages found in history that the record lacked (a process killed before its last batch), added. */
  recovered: number
  lastError?: string
}

/** Rows kept while the store fails; past it, the oldest go (counted as `dropped`). */
export const MAX_WAITING = 200_000
const BATCH_EVERY_MS = 200

/**
 * The session's record, as this process writes it: the messages it stored, the events it saw, in
 * batches every 200 ms off the path of delivery. A store that fails is counted and tried again,
 * never fatal. A process killed with kill -9 loses its last batch; `recover` gets those messages back
 * from history (Redis) for any process.
 */
export class SessionRecord {
  private waiting: RecordRow[] = []
  private readonly counts = { written: 0, failures: 0, dropped: 0, recovered: 0 }
  private lastError: string | undefined
  private writing: Promise<void> | undefined
  private readonly timer: ReturnType<typeof setInterval>
  private readonly stops: Array<() => void> = []

  constructor(
    readonly store: RecordStore,
    private readonly log: Log,
  ) {
    this.timer = setInterval(() => void this.flush(), BATCH_EVERY_MS)
    this.timer.unref()
  }

  /** Records what `broker` stores from now on, and, when given, `presence`'s joins and leaves. */
  follow(broker: Broker, presence?: Presence): void {
    this.stops.push(broker.onPublished((message) => this.add(messageRow(message))))
    if (presence) this.stops.push(presence.onEvent((event: PresenceEvent) => this.add({ kind: event.type, channel: event.channel, serverTime: Date.now(), participant: event.participant })))
  }

  /** A refusal or reconnect on a socket of this process. */
  relayEvent(event: RelayEvent): void {
    const serverTime = Date.now()
    if (event.type === 'reconnect') return this.add({ kind: 'reconnect', channel: event.channel, serverTime, participant: event.participant })
    this.add({ kind: 'refusal', channel: event.channel ?? '', serverTime, participant: event.participant, code: event.code, detail: event.reason })
  }

  /**
   * Adds what history (Redis) holds of messages stored since `sinceMs` and the record lacks: those of
   * a process killed before it wrote its last batch. Resolves with how many were added.
   */
  async recover(broker: Broker, sinceMs: number): Promise<number> {
    if (!broker.storedSince) return 0
    try {
      await this.flush()
      const added = await this.store.appendMissing((await broker.storedSince(sinceMs)).map(messageRow))
      this.counts.recovered += added
      if (added > 0) this.log('warn', 'record.recovered', { messages: added, sinceMs })
      return added
    } catch (error) {
      this.failed(error)
      return 0
    }
  }

  status(): RecordStatus {
    return { kind: this.store.kind, where: this.store.where, ...this.counts, waiting: this.waiting.length, ...(this.lastError ? { lastError: this.lastError } : {}) }
  }

  /** Writes what waits; resolves once it is stored (or the write failed and was counted). */
  flush(): Promise<void> {
    return (this.writing ??= this.write().finally(() => (this.writing = undefined)))
  }

  /** The whole record, this process's last rows included. */
  async read(): Promise<RecordRow[]> {
    await this.flush()
    return this.store.read()
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    for (const stop of this.stops.splice(0)) stop()
    await this.flush()
    await this.flush()
    await this.store.close().catch((error: unknown) => this.failed(error))
  }

  private add(row: RecordRow): void {
    this.waiting.push(row)
    if (this.waiting.length > MAX_WAITING) {
      this.waiting.splice(0, this.waiting.length - MAX_WAITING)
      this.counts.dropped += 1
    }
  }

  private async write(): Promise<void> {
    if (this.waiting.length === 0) return
    const batch = this.waiting
    this.waiting = []
    try {
      await this.store.append(batch)
      this.counts.written += batch.length
    } catch (error) {
      // Kept, in order, for the next batch.
      this.waiting = [...batch, ...this.waiting]
      this.failed(error)
    }
  }

  private failed(error: unknown): void {
    this.counts.failures += 1
    this.lastError = String(error)
    this.log('error', 'record.write_failed', { where: this.store.where, error, waiting: this.waiting.length })
  }
}

/** A message's row; one relayed without history has no id, and the time it was relayed. */
function messageRow({ channel, data, id, from }: PublishedMessage): RecordRow {
  const row: RecordRow = { kind: 'message', channel, serverTime: id === undefined ? Date.now() : idTime(id), participant: from ?? null, payload: data }
  if (id !== undefined) row.id = id
  return row
}
