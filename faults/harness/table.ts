import type { Tally } from './tally.js'

/** The suite's table: one row per scenario run. */
const COLUMNS = [
  ['scenario', 30],
  ['mode', 6],
  ['sent', 5],
  ['expected', 8],
  ['received', 8],
  ['lost-no-gap', 11],
  ['in-gap', 6],
  ['failed-send', 11],
  ['dup', 4],
  ['ooo', 4],
  ['ack/sent/failed/unsettled', 26],
  ['max-delay', 9],
  ['took', 6],
] as const

/** The table's header line. */
export function header(): string {
  return COLUMNS.map(([name, width]) => name.padEnd(width)).join(' ')
}

/** One scenario's row: its name, the tally's figures and how long the scenario took. */
export function row(scenario: string, t: Tally, tookMs: number): string {
  const r = t.receipts
  const cells = [
    scenario,
    t.mode,
    t.sent,
    t.expected,
    t.received,
    t.lostWithoutGap,
    t.inGap,
    t.failedAtSender,
    t.duplicated,
    t.outOfOrder,
    `${r.acknowledged}/${r.sent}/${r.failed}/${r.unsettled}`,
    `${Math.round(t.maxDelayMs)}ms`,
    `${(tookMs / 1000).toFixed(1)}s`,
  ]
  return cells.map((cell, i) => String(cell).padEnd(COLUMNS[i]?.[1] ?? 0)).join(' ')
}
