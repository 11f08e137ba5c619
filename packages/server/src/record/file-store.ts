import { randomUUID } from 'node:crypto'
import { appendFile, mkdir, open, readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { compareRows, messageKey } from './record-row.js'
import type { RecordRow } from './record-row.js'
import type { RecordStore } from './record-store.js'

/** How long the messages of the folder are remembered for `appendMissing` (longer than history keeps any). */
const HELD_MS = 20 * 60_000

/**
 * The record as JSON lines in a folder, in a file of each process's own (no two processes write to one
 * file, and this process's writes go one after another, so no line is ever torn). Reading takes every
 * process's file, each message once (a message recovered from history by two processes at once may be
 * in two files).
 */
export class FileStore implements RecordStore {
  readonly kind = 'file'
  /** This process's file in the folder (created with its first rows). */
  readonly file: string
  private writes: Promise<void> = Promise.resolve()
  // What the folder's files hold, read as they grow: the bytes of each already read, and the recent messages.
  private readonly indexed = new Map<string, number>()
  private readonly held = new Map<string, number>()

  constructor(private readonly dir: string) {
    this.file = join(dir, `record-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.jsonl`)
  }

  /** The folder: the record is every process's file in it. */
  get where(): string {
    return this.dir
  }

  append(rows: readonly RecordRow[]): Promise<void> {
    const write = this.writes.then(() => this.write(rows))
    this.writes = write.catch(() => undefined)
    return write
  }

  async appendMissing(rows: readonly RecordRow[]): Promise<number> {
    await this.index()
    const missing = rows.filter((row) => !this.held.has(messageKey(row) ?? ''))
    await this.append(missing)
    return missing.length
  }

  async read(): Promise<RecordRow[]> {
    const rows: RecordRow[] = []
    const seen = new Set<string>()
    for (const name of await this.files()) {
      for (const row of lines(await readFile(join(this.dir, name), 'utf8'))) {
        const key = messageKey(row)
        if (key !== undefined && seen.has(key)) continue
        if (key !== undefined) seen.add(key)
        rows.push(row)
      }
    }
    return rows.sort(compareRows)
  }

  async close(): Promise<void> {
    await this.writes
  }

  private async write(rows: readonly RecordRow[]): Promise<void> {
    if (rows.length === 0) return
    await mkdir(this.dir, { recursive: true })
    await appendFile(this.file, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`)
    for (const row of rows) this.hold(row)
  }

  /** Reads what every file gained since the last time (whole lines only), and forgets what is too old to be asked about. */
  private async index(): Promise<void> {
    for (const name of await this.files()) {
      const path = join(this.dir, name)
      const from = this.indexed.get(path) ?? 0
      const { size } = await stat(path)
      if (size <= from) continue
      const handle = await open(path, 'r')
      try {
        const buffer = Buffer.alloc(size - from)
        await handle.read(buffer, 0, buffer.length, from)
        const end = buffer.lastIndexOf(0x0a) + 1
        for (const row of lines(buffer.subarray(0, end).toString('utf8'))) this.hold(row)
        this.indexed.set(path, from + end)
      } finally {
        await handle.close()
      }
    }
    const cutoff = Date.now() - HELD_MS
    for (const [key, time] of this.held) if (time < cutoff) this.held.delete(key)
  }

  private hold(row: RecordRow): void {
    const key = messageKey(row)
    if (key !== undefined) this.held.set(key, row.serverTime)
  }

  private async files(): Promise<string[]> {
    return (await readdir(this.dir).catch(() => [] as string[])).filter((name) => name.startsWith('record-') && name.endsWith('.jsonl'))
  }
}

/** The rows of a file's text; an empty line, or the last line of a process killed mid-write, is none. */
function lines(text: string): RecordRow[] {
  return text.split('\n').flatMap((line) => {
    if (line === '') return []
    try {
      const row = JSON.parse(line) as RecordRow
      return typeof row === 'object' && row !== null && typeof row.kind === 'string' ? [row] : []
    } catch {
      return []
    }
  })
}
