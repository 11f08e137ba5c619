import type { RecordRow } from './record-row.js'

const COLUMNS = ['kind', 'serverTime', 'channel', 'id', 'participant', 'payload', 'code', 'detail'] as const

/** The rows as CSV, one row per line, RFC 4180 quoting: `pd.read_csv(url)` or `read.csv(url)` take it as it is. */
export function toCsv(rows: readonly RecordRow[]): string {
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value)
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => cell(row[column])).join(','))].join('\n') + '\n'
}

export function toJsonLines(rows: readonly RecordRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '')
}

export type ExportFormat = 'jsonl' | 'csv'

export function formatRecord(rows: readonly RecordRow[], format: ExportFormat, filter: RecordFilter = {}): string {
  const kept = filterRows(rows, filter)
  return format === 'csv' ? toCsv(kept) : toJsonLines(kept)
}

/** Which rows an export keeps: the kinds and the channels given (each a list), all when not given. */
export interface RecordFilter {
  kinds?: readonly string[] | undefined
  channels?: readonly string[] | undefined
}

/** A filter from comma-separated lists (`?kind=message&channel=a,b`, `--kind`, `--channel`); empty parts are ignored. */
export function recordFilter(kind: string | null | undefined, channel: string | null | undefined): RecordFilter {
  const list = (text: string | null | undefined) => (text ? text.split(',').map((part) => part.trim()).filter(Boolean) : undefined)
  return { kinds: list(kind), channels: list(channel) }
}

export function filterRows(rows: readonly RecordRow[], { kinds, channels }: RecordFilter): readonly RecordRow[] {
  if (!kinds && !channels) return rows
  return rows.filter((row) => (!kinds || kinds.includes(row.kind)) && (!channels || channels.includes(row.channel)))
}
