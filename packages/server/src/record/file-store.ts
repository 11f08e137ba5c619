import { randomUUID } from 'node:crypto'
import { appendFile, mkdir, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { compareRows, messageKey } from './record-row.js'
import type { RecordRow } from './record-row.js'
import type { RecordStore } from './record-store.js'

/**
 * The record as JSON lines in a folder, in a file of each process's own (no two processes write to one
 * file, so no line is ever torn by another's write). Reading takes every process's file, each message
 * once (a message recovered from history by two processes at once may be in two files).
 */
export class FileStore implements RecordStore {
  readonly kind = 'file'
  /** This process's file in the folder (created with its first rows). */
  readonly file: string

  constructor(private readonly dir: string) {
    this.file = join(dir, `record-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.jsonl`)
  }

  /** The folder: the record is every process's file in it. */
  get where(): string {
    return this.dir
  }

  async append(rows: readonly RecordRow[]): Promise<void> {
    if (rows.length === 0) return
    await mkdir(this.dir, { recursive: true })
    await appendFile(this.file, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`)
  }

  async appendMissing(rows: readonly RecordRow[]): Promise<number> {
    const held = new Set((await this.read()).map(messageKey))
    const missing = rows.filter((row) => !held.has(messageKey(row)))
    await this.append(missing)
    return missing.length
  }

  async read(): Promise<RecordRow[]> {
    const files = (await readdir(this.dir).catch(() => [] as string[])).filter((name) => name.startsWith('record-') && name.endsWith('.jsonl'))
    const rows: RecordRow[] = []
    const seen = new Set<string>()
    for (const name of files) {
      for (const line of (await readFile(join(this.dir, name), 'utf8')).split('\n')) {
        const row = parse(line)
        const key = row && messageKey(row)
        if (!row || (key !== undefined && seen.has(key))) continue
        if (key !== undefined) seen.add(key)
        rows.push(row)
      }
    }
    return rows.sort(compareRows)
  }

  async close(): Promise<void> {}
}

/** A line of a record file; undefined for an empty one or the last line of a process killed mid-write. */
function parse(line: string): RecordRow | undefined {
  if (line === '') return undefined
  try {
    const row = JSON.parse(line) as RecordRow
    return typeof row === 'object' && row !== null && typeof row.kind === 'string' ? row : undefined
  } catch {
    return undefined
  }
}
