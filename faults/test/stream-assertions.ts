import { expect } from 'vitest'
import type { StreamRun } from '../harness/stream-run.js'

/**
 * The resume extension's promises through a fault (README): no message lost without a reported gap,
 * none twice, none out of order, every receipt settled and none failed, and no participant id
 * given out twice (`seenIds`: every id of the file so far; this run's are added). Soft, so one run
 * reports every broken promise.
 */
export function expectResumeHeld(run: StreamRun, seenIds: Set<string>): void {
  const t = run.tally
  expect.soft(t.lostWithoutGap, `lost without a gap: ${t.lossDetails.join('; ')}`).toBe(0)
  expect.soft(t.duplicated, 'duplicated deliveries').toBe(0)
  expect.soft(t.outOfOrder, 'deliveries out of order').toBe(0)
  expect.soft(t.receipts.unsettled, 'receipts never settled').toBe(0)
  expect.soft(t.receipts.failed, `failed receipts: ${JSON.stringify(t.failures)}`).toBe(0)
  expectFreshIds(run, seenIds)
}

/** This run's participant ids were never given out before in the file (nor twice in the run). */
export function expectFreshIds(run: StreamRun, seenIds: Set<string>): void {
  const ids = run.streams.participants.map((p) => p.id)
  expect.soft(ids.filter((id) => seenIds.has(id)), 'participant ids given out before').toEqual([])
  expect.soft(new Set(ids).size, 'participant ids given twice in one run').toBe(ids.length)
  for (const id of ids) seenIds.add(id)
}
