import pg from 'pg'
import type { Log } from '../log.js'
import type { RecordRow } from './record-row.js'
import type { RecordStore } from './record-store.js'

// PostgreSQL's text holds no U+0000, which a payload (or a socket's channel name) may contain: it is
// stored as U+FFFD, and the row says so.
const NUL_NOTE = 'U+0000 stored as U+FFFD'
const text = (value: string | null | undefined): string | null => (value === undefined || value === null ? null : value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value)
const hasNul = (row: RecordRow): boolean => [row.channel, row.id, row.participant, row.payload, row.detail].some((value) => value?.includes('\u0000'))

/** Where a URL points, without its credentials (a DSN that is no URL is named as such). */
function describe(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.host}${parsed.pathname}`
  } catch {
    return 'the DATABASE_URL database'
  }
}

/** The record's table: a name of its own, so it can live in a Dallinger experiment's database. */
export const RECORD_TABLE = 'switchboard_record'

const COLUMNS = ['kind', 'server_time', 'channel', 'message_id', 'participant', 'payload', 'code', 'detail'] as const
const TYPES = ['text', 'bigint', 'text', 'text', 'text', 'text', 'integer', 'text'] as const

// Two processes starting at once must not both create the table: the first takes this lock. The
// statements of one simple query run as one transaction, which holds the lock to its end.
const SCHEMA = `
SELECT pg_advisory_xact_lock(72946113);
CREATE TABLE IF NOT EXISTS ${RECORD_TABLE} (
  row_id bigserial PRIMARY KEY,
  kind text NOT NULL,
  server_time bigint NOT NULL,
  channel text NOT NULL,
  message_id text,
  participant text,
  payload text,
  code integer,
  detail text
);
CREATE UNIQUE INDEX IF NOT EXISTS ${RECORD_TABLE}_message ON ${RECORD_TABLE} (channel, message_id) WHERE message_id IS NOT NULL;`

// One statement per batch, whatever its size: each column as one array parameter. A message already
// held (recovered by another process too) is skipped by its unique (channel, id).
const INSERT = `INSERT INTO ${RECORD_TABLE} (${COLUMNS.join(', ')})
SELECT * FROM unnest(${TYPES.map((type, n) => `$${n + 1}::${type}[]`).join(', ')})
ON CONFLICT (channel, message_id) WHERE message_id IS NOT NULL DO NOTHING`

const SELECT = `SELECT ${COLUMNS.join(', ')} FROM ${RECORD_TABLE}
ORDER BY server_time, channel, split_part(message_id, '-', 2)::numeric NULLS FIRST, row_id`

/**
 * The record in a PostgreSQL table (`DATABASE_URL`). Every process of a session writes to it; the
 * table's unique index on (channel, message id) keeps each message once.
 */
export class PostgresStore implements RecordStore {
  readonly kind = 'postgres'
  readonly where: string
  /** Rows the database refused as data, each logged (`record.row_refused`). */
  rejected = 0
  private readonly pool: pg.Pool
  private schema: Promise<void> | undefined

  constructor(
    url: string,
    private readonly log: Log,
  ) {
    this.where = `${describe(url)} table ${RECORD_TABLE}`
    // A database that hangs (a lock held by someone's TRUNCATE) fails a batch after 10 s, to be tried again, never stalls the record for good.
    this.pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000, idleTimeoutMillis: 10_000, query_timeout: 10_000, statement_timeout: 10_000 })
    // An idle connection that breaks (the database restarted) is reported, never a crash.
    this.pool.on('error', (error) => log('warn', 'record.database_error', { error }))
  }

  async append(rows: readonly RecordRow[]): Promise<void> {
    await this.insert(rows)
  }

  appendMissing(rows: readonly RecordRow[]): Promise<number> {
    return this.insert(rows)
  }

  async read(): Promise<RecordRow[]> {
    await this.ready()
    const result = await this.pool.query<Record<(typeof COLUMNS)[number], string | null>>(SELECT)
    return result.rows.map((row) => {
      const out: RecordRow = { kind: row.kind as RecordRow['kind'], channel: row.channel ?? '', serverTime: Number(row.server_time), participant: row.participant }
      if (row.message_id !== null) out.id = row.message_id
      if (row.payload !== null) out.payload = row.payload
      if (row.code !== null) out.code = Number(row.code)
      if (row.detail !== null) out.detail = row.detail
      return out
    })
  }

  async close(): Promise<void> {
    await this.pool.end()
  }

  private async insert(rows: readonly RecordRow[]): Promise<number> {
    if (rows.length === 0) return 0
    await this.ready()
    try {
      return await this.insertAll(rows)
    } catch (error) {
      // A row the database refuses as data (SQLSTATE class 22) must not hold up every row after it:
      // the others go one by one, and the one refused is counted and logged, never retried.
      if (!String((error as { code?: unknown }).code ?? '').startsWith('22') || rows.length === 1) throw error
      let added = 0
      for (const row of rows) {
        try {
          added += await this.insertAll([row])
        } catch (rowError) {
          if (!String((rowError as { code?: unknown }).code ?? '').startsWith('22')) throw rowError
          this.rejected += 1
          this.log('error', 'record.row_refused', { kind: row.kind, channel: row.channel.slice(0, 80), id: row.id, error: rowError })
        }
      }
      return added
    }
  }

  private async insertAll(rows: readonly RecordRow[]): Promise<number> {
    const columns = [
      rows.map((row) => row.kind),
      rows.map((row) => row.serverTime),
      rows.map((row) => text(row.channel)),
      rows.map((row) => text(row.id)),
      rows.map((row) => text(row.participant)),
      rows.map((row) => text(row.payload)),
      rows.map((row) => row.code ?? null),
      rows.map((row) => (hasNul(row) ? `${row.detail ? `${text(row.detail)}; ` : ''}${NUL_NOTE}` : text(row.detail))),
    ]
    return (await this.pool.query(INSERT, columns)).rowCount ?? 0
  }

  /** Creates the table on first use; a failure is tried again by the next batch. */
  private ready(): Promise<void> {
    this.schema ??= this.pool.query(SCHEMA).then(
      () => undefined,
      (error: unknown) => {
        this.schema = undefined
        throw error
      },
    )
    return this.schema
  }
}
