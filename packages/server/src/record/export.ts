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

export function formatRecord(rows: readonly RecordRow[], format: ExportFormat): string {
  return format === 'csv' ? toCsv(rows) : toJsonLines(rows)
}
