import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { compareMessageIds } from '@switchboard/client'
import type { RecordRow } from './record-log.js'

/** Every row of the record in `dir` (all its processes' files), each message once, by time then channel and id. */
export async function readRecord(dir: string): Promise<RecordRow[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.startsWith('record-') && name.endsWith('.jsonl'))
  const rows: RecordRow[] = []
  const seen = new Set<string>()
  for (const name of files) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      if (line === '') continue
      let row: RecordRow
      try {
        row = JSON.parse(line) as RecordRow
      } catch {
        continue // a line cut short by a kill
      }
      const key = row.kind === 'message' ? `${row.channel}\n${row.id}` : undefined
      if (key !== undefined && seen.has(key)) continue
      if (key !== undefined) seen.add(key)
      rows.push(row)
    }
  }
  return rows.sort((a, b) => a.serverTime - b.serverTime || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0) || (a.id && b.id ? compareMessageIds(a.id, b.id) : 0))
}

const COLUMNS = ['kind', 'serverTime', 'channel', 'id', 'participant', 'payload'] as const

/** The rows as CSV, one row per line, RFC 4180 quoting: `pd.read_csv(url)` or `read.csv(url)` take it as it is. */
export function toCsv(rows: RecordRow[]): string {
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value)
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => cell(row[column])).join(','))].join('\n') + '\n'
}

export function toJsonLines(rows: RecordRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '')
}
