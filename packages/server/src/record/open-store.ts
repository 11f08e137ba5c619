import type { Log } from '../log.js'
import { FileStore } from './file-store.js'
import { PostgresStore } from './postgres-store.js'
import type { RecordStore } from './record-store.js'

export interface RecordStoreOptions {
  /** PostgreSQL (`postgres://user:password@host:5432/db`): the record in its own table. Wins over `recordDir`. */
  databaseUrl?: string | undefined
  /** A folder for the record as JSON lines, a file per process. */
  recordDir?: string | undefined
}

/** The store the options name; undefined when they name none (no record is kept). */
export function openRecordStore(options: RecordStoreOptions, log: Log): RecordStore | undefined {
  if (options.databaseUrl) return new PostgresStore(options.databaseUrl, log)
  if (options.recordDir) return new FileStore(options.recordDir)
  return undefined
}
