import { access, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createLog } from './log.js'
import { formatRecord, recordFilter } from './record/export.js'
import { openRecordStore } from './record/open-store.js'

const USAGE = `Usage: switchboard-server export [--database-url URL | --record-dir DIR] [--format jsonl|csv] [--kind K,…] [--channel C,…] [--out FILE]

Writes the session's record from its store, as GET /export gives it: each message once, in order, with
presence and connection events. The store is the server's: DATABASE_URL or RECORD_DIR (flags win).
  --format   jsonl (default) or csv
  --kind     only rows of these kinds: message, join, leave, reconnect, refusal (comma separated)
  --channel  only rows of these channels (comma separated)
  --out      a file to write (default: standard output)
`

/** `switchboard-server export`: resolves with the exit code (0, 1 when the store fails, 2 for bad usage). */
export async function runExport(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values
  try {
    values = parseArgs({ args, strict: true, options: { 'database-url': { type: 'string' }, 'record-dir': { type: 'string' }, format: { type: 'string', default: 'jsonl' }, kind: { type: 'string' }, channel: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values
  } catch (error) {
    process.stderr.write(`switchboard-server export: ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const format = values.format
  if (format !== 'jsonl' && format !== 'csv') {
    process.stderr.write(`switchboard-server export: --format ${format}: expected jsonl or csv\n`)
    return 2
  }
  const recordDir = values['record-dir'] ?? env.RECORD_DIR
  const store = openRecordStore({ databaseUrl: values['database-url'] ?? env.DATABASE_URL, recordDir: recordDir && resolve(recordDir) }, createLog('warn'))
  if (!store) {
    process.stderr.write(`switchboard-server export: no store: set DATABASE_URL or RECORD_DIR (or --database-url, --record-dir)\n\n${USAGE}`)
    return 2
  }
  try {
    // A mistyped folder is no empty record.
    if (store.kind === 'file') await access(store.where)
    const rows = await store.read()
    const text = formatRecord(rows, format, recordFilter(values.kind, values.channel))
    if (values.out) await writeFile(values.out, text)
    else await new Promise<void>((done, fail) => process.stdout.write(text, (error) => (error ? fail(error) : done())))
    process.stderr.write(`switchboard-server export: ${rows.length} rows from ${store.where}${values.out ? ` to ${values.out}` : ''}\n`)
    return 0
  } catch (error) {
    process.stderr.write(`switchboard-server export: could not read ${store.where}: ${(error as Error).message}\n`)
    return 1
  } finally {
    await store.close().catch(() => {})
  }
}
