import type { Broker, PublishedMessage } from '../broker/broker.js'
import type { Log } from '../log.js'
import type { RelayEvent } from '../relay/relay-events.js'
import type { PresenceEvent } from '../resume/presence.js'
import { idTime, messageKey } from './record-row.js'
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
  /** Rows the store refused for good (logged as `record.row_refused`). */
  rejected: number
  /** Refusals past the record's rate for them (20 a second, bursts of 200), counted but not kept. */
  unrecorded: number
  lastError?: string
}

/** Rows kept while the store fails; past it, the oldest go (counted as `dropped`). */
export const MAX_WAITING = 200_000
const BATCH_EVERY_MS = 200
const REFUSALS_PER_S = 20
const REFUSALS_BURST = 200
// Longer than a batch can wait on a store that is slow but working.
const OWN_MS = 2 * 60_000

/**
 * The session's record, as this process writes it: the messages it stored, the events it saw, in
 * batches every 200 ms off the path of delivery. A store that fails is counted and tried again,
 * never fatal. A process killed with kill -9 loses its last batch; `recover` gets those messages back
 * from history (Redis) for any process.
 */
export class SessionRecord {
  private waiting: RecordRow[] = []
  private readonly counts = { written: 0, failures: 0, dropped: 0, recovered: 0, unrecorded: 0 }
  private refusalBudget = REFUSALS_BURST
  private refusalsAt = Date.now()
  private lastError: string | undefined
  private writing: Promise<void> | undefined
  private readonly timer: ReturnType<typeof setInterval>
  private readonly stops: Array<() => void> = []
  // The messages this process recorded lately: recovery leaves them to the normal batches.
  private readonly own = new Map<string, number>()

  constructor(
    readonly store: RecordStore,
    private readonly log: Log,
  ) {
    this.timer = setInterval(() => void this.flush(), BATCH_EVERY_MS)
    this.timer.unref()
  }

  /** Records what `broker` stores from now on. */
  follow(broker: Broker): void {
    this.stops.push(broker.onPublished((message) => this.add(messageRow(message))))
  }

  /** A join or leave (told by the one process that keeps them). */
  presenceEvent(event: PresenceEvent): void {
    this.add({ kind: event.type, channel: event.channel, serverTime: Date.now(), participant: event.participant })
  }

  /**
   * A refusal or reconnect on a socket of this process. Refusals are kept at up to 20 a second (bursts
   * of 200): a script refused in a loop must not fill the record; the rest are counted (`unrecorded`).
   */
  relayEvent(event: RelayEvent): void {
    const serverTime = Date.now()
    if (event.type === 'reconnect') return this.add({ kind: 'reconnect', channel: event.channel, serverTime, participant: event.participant })
    this.refusalBudget = Math.min(REFUSALS_BURST, this.refusalBudget + ((serverTime - this.refusalsAt) / 1000) * REFUSALS_PER_S)
    this.refusalsAt = serverTime
    if (this.refusalBudget < 1) return void (this.counts.unrecorded += 1)
    this.refusalBudget -= 1
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
      const found = (await broker.storedSince(sinceMs)).map(messageRow).filter((row) => !this.own.has(messageKey(row) ?? ''))
      const added = await this.store.appendMissing(found)
      this.counts.recovered += added
      if (added > 0) this.log('warn', 'record.recovered', { messages: added, sinceMs })
      return added
    } catch (error) {
      this.failed(error)
      return 0
    }
  }

  status(): RecordStatus {
    return { kind: this.store.kind, where: this.store.where, ...this.counts, rejected: this.store.rejected ?? 0, waiting: this.waiting.length, ...(this.lastError ? { lastError: this.lastError } : {}) }
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
    const key = messageKey(row)
    if (key !== undefined) this.own.set(key, Date.now())
    this.waiting.push(row)
    if (this.waiting.length > MAX_WAITING) {
      this.waiting.splice(0, this.waiting.length - MAX_WAITING)
      this.counts.dropped += 1
    }
  }

  private async write(): Promise<void> {
    const cutoff = Date.now() - OWN_MS
    for (const [key, at] of this.own) {
      if (at >= cutoff) break // in the order they came
      this.own.delete(key)
    }
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
