import { randomUUID } from 'node:crypto'
import { appendFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Broker } from '../broker/broker.js'
import type { Log } from '../log.js'
import type { Presence, PresenceEvent } from '../resume/presence.js'

/**
 * One line of the session's record: a message as it was stored (its id, channel, the server's time
 * from the id, the participant bound to the socket that sent it, never what the payload claims, and
 * the payload as sent), or a presence event (a participant came to a channel, or left it).
 */
export interface RecordRow {
  kind: 'message' | 'join' | 'leave'
  channel: string
  /** The message's id; missing on presence events. */
  id?: string
  /** ms since the epoch: the message's id time, or when the event happened. */
  serverTime: number
  participant: string | null
  /** The payload exactly as published; missing on presence events. */
  payload?: string
}

/** What the record tells operators (GET /status). */
export interface RecordStatus {
  file: string
  written: number
  waiting: number
  failures: number
  lastError?: string
}

/**
 * The session's record in an append-only file of JSON lines, one file per process in `dir`: every
 * message this process stored (each message is stored by exactly one process, so the files together
 * hold each once) and the presence events it saw (the process that runs the experiment keeps them,
 * so they are not repeated). Lines are written in batches, off the path of delivery; a write that
 * fails is retried with the next batch and counted, never fatal.
 */
export class RecordLog {
  readonly file: string
  private waiting: string[] = []
  private written = 0
  private failures = 0
  private lastError: string | undefined
  private writing: Promise<void> | undefined
  private readonly timer: ReturnType<typeof setInterval>
  private readonly stops: Array<() => void> = []

  constructor(
    private readonly dir: string,
    private readonly log: Log,
  ) {
    this.file = join(dir, `record-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.jsonl`)
    this.timer = setInterval(() => void this.flush(), 200)
    this.timer.unref()
  }

  /** Records what `broker` stores from now on, and, when given, `presence`'s events. */
  follow(broker: Broker, presence?: Presence): void {
    this.stops.push(
      broker.onPublished(({ channel, data, id, from }) =>
        this.add({ kind: 'message', channel, id, serverTime: Number(id.slice(0, id.indexOf('-'))), participant: from ?? null, payload: data }),
      ),
    )
    if (presence) this.stops.push(presence.onEvent((event: PresenceEvent) => this.add({ kind: event.type, channel: event.channel, serverTime: Date.now(), participant: event.participant })))
  }

  status(): RecordStatus {
    return { file: this.file, written: this.written, waiting: this.waiting.length, failures: this.failures, ...(this.lastError ? { lastError: this.lastError } : {}) }
  }

  /** Writes what waits; resolves once it is on disk (or the write failed and was counted). */
  flush(): Promise<void> {
    return (this.writing ??= this.write().finally(() => (this.writing = undefined)))
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    for (const stop of this.stops.splice(0)) stop()
    await this.flush()
    await this.flush()
  }

  private add(row: RecordRow): void {
    this.waiting.push(JSON.stringify(row))
  }

  private async write(): Promise<void> {
    if (this.waiting.length === 0) return
    const batch = this.waiting
    this.waiting = []
    try {
      await mkdir(this.dir, { recursive: true })
      await appendFile(this.file, `${batch.join('\n')}\n`)
      this.written += batch.length
    } catch (error) {
      // Kept, in order, for the next batch.
      this.waiting = [...batch, ...this.waiting]
      this.failures += 1
      this.lastError = String(error)
      this.log('error', 'record.write_failed', { file: this.file, error, waiting: this.waiting.length })
    }
  }
}
