import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { header } from '../harness/table.js'

/** Gives every scenario file one table to append its row to, and prints the table once all have run. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'faults-table-'))
  const file = join(dir, 'table.txt')
  writeFileSync(file, '')
  project.provide('faultsTable', file)
  const started = Date.now()
  return () => {
    const rows = existsSync(file) ? readFileSync(file, 'utf8') : ''
    process.stdout.write(`\nFault suite, ${((Date.now() - started) / 1000).toFixed(0)} s:\n${header()}\n${rows}\n`)
    rmSync(dir, { recursive: true, force: true })
  }
}
