import type { RecordRow } from './record-row.js'

/**
 * Where the session's record is kept: an append-only file per process (`FileStore`, the default) or a
 * PostgreSQL table (`PostgresStore`). Several processes write to one store; each message is in it once.
 */
export interface RecordStore {
  /** What it is, for GET /status: `file` or `postgres`, and where (a path, or a table without credentials). */
  readonly kind: 'file' | 'postgres'
  readonly where: string
  /** Rows the store refused for good (a row PostgreSQL cannot hold), each logged. */
  readonly rejected?: number
  /** Adds rows: each message is added by the one process that stored it. Rejects when the store fails. */
  append(rows: readonly RecordRow[]): Promise<void>
  /** Adds the messages among `rows` that the record does not hold yet (recovered from history). */
  appendMissing(rows: readonly RecordRow[]): Promise<number>
  /** The whole record: each message once, in order (time, channel, id). */
  read(): Promise<RecordRow[]>
  close(): Promise<void>
}
