import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TallyLine } from '../fixtures/tally-experiment.js'

/** The tally experiment's module, for EXPERIMENT. */
export const TALLY_EXPERIMENT = fileURLToPath(new URL('../fixtures/tally-experiment.ts', import.meta.url))

/** A fresh path for TALLY_FILE (the file itself appears with the experiment's first line). */
export function newTallyFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'faults-tally-')), 'tally.jsonl')
}

/** What the tally experiment got from the given senders, against what they sent. */
export interface ExperimentCoverage {
  /** Numbers sent to the experiment channel, over every sender. */
  sent: number
  /** Lines in the file for these senders, duplicates included. */
  lines: number
  /** Numbers the file lacks, as `sender: n,n,…`. */
  missing: string[]
  missingCount: number
  /** Lines whose bound participant is not the payload's `from` (never expected). */
  misattributed: number
  /** Processes that wrote lines (a restarted experiment process writes under a new pid). */
  writers: number
}

/** Every line of the tally file (none when it does not exist yet). */
export function readTally(file: string): TallyLine[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TallyLine)
}

/** Whether the file holds every number 1..sentBy(sender) of every sender (duplicates allowed). */
export function experimentCoverage(file: string, sentBy: ReadonlyMap<string, number>): ExperimentCoverage {
  const lines = readTally(file).filter((line) => sentBy.has(line.participantId))
  const coverage: ExperimentCoverage = { sent: 0, lines: lines.length, missing: [], missingCount: 0, misattributed: 0, writers: new Set(lines.map((l) => l.pid)).size }
  for (const line of lines) if (line.from !== line.participantId) coverage.misattributed += 1
  for (const [sender, count] of sentBy) {
    coverage.sent += count
    const got = new Set(lines.filter((line) => line.participantId === sender).map((line) => line.n))
    const missing: number[] = []
    for (let n = 1; n <= count; n++) if (!got.has(n)) missing.push(n)
    coverage.missingCount += missing.length
    if (missing.length > 0) coverage.missing.push(`${sender}: ${missing.slice(0, 40).join(',')}${missing.length > 40 ? ',…' : ''}`)
  }
  return coverage
}
