import { appendFileSync } from 'node:fs'
import { inject } from 'vitest'
import { header, row } from './table.js'
import type { Tally } from './tally.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file every scenario appends its table row to; the global teardown prints it whole. */
    faultsTable: string
  }
}

/** Prints the row (and, under it, what was lost and why sends failed) and appends it to the suite's table. */
export function report(scenario: string, t: Tally, tookMs: number, notes: string[] = []): void {
  const line = row(scenario, t, tookMs)
  const details = [
    ...t.lossDetails.map((d) => `    lost without a gap: ${d}`),
    ...Object.entries(t.failures).map(([why, count]) => `    failed receipts: ${count} × ${why}`),
    ...notes.map((note) => `    ${note}`),
  ]
  console.log([header(), line, ...details].join('\n'))
  appendFileSync(inject('faultsTable'), `${[line, ...details].join('\n')}\n`)
}

/** A note under the table (a scenario without streams, such as an identity check). */
export function note(text: string): void {
  console.log(text)
  appendFileSync(inject('faultsTable'), `    ${text}\n`)
}
