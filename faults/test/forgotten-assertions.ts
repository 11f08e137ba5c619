import { expect } from 'vitest'
import type { ForgottenState } from '../harness/forgotten-state.js'
import { messageFrames } from '../harness/identity.js'

/**
 * What must hold after the server forgot its state (README: refused with 4410, final): each check is
 * soft, so one run reports every broken promise at once.
 */
export function expectForgottenStateHandled(seen: ForgottenState): void {
  // Old clients end refused with 4410, and the client reports CONNECTION_REFUSED with closeCode 4410.
  expect.soft(seen.ends.filter((end) => end.closed !== 'refused 4410'), 'old channels not closed as refused 4410').toEqual([])
  expect.soft(seen.ends.filter((end) => !end.refusedCodes.includes(4410)), 'old channels without a CONNECTION_REFUSED 4410 error').toEqual([])
  // Newcomers get ids never given out before.
  expect.soft(seen.newIds.filter((id) => seen.oldIds.includes(id)), 'newcomer ids that were given out before').toEqual([])
  expect.soft(new Set(seen.newIds).size, 'newcomer ids given twice').toBe(seen.newIds.length)
  // No old credential opens a private channel again, nor reads a word of what is there now.
  expect.soft(seen.probes.filter((probe) => probe.close?.code !== 4410).map((p) => ({ id: p.id, close: p.close, frames: p.frames.length })), 'old tokens not refused with 4410').toEqual([])
  expect.soft(seen.probes.flatMap((probe) => messageFrames(probe.frames)), 'messages an old token read').toEqual([])
  expect.soft(seen.leaks, "newcomers' whispers that reached an old client").toEqual([])
  // Every send's receipt settled, the old clients' included (failed, when their channel was refused).
  expect.soft(seen.old.tally.receipts.unsettled, 'old receipts unsettled').toBe(0)
  expect.soft(seen.newcomers.tally.receipts.unsettled, 'newcomer receipts unsettled').toBe(0)
  // The newcomers' own streams, on a healthy server, lose nothing.
  expect.soft(seen.newcomers.tally.lostWithoutGap, 'newcomer messages lost without a gap').toBe(0)
  expect.soft(seen.newcomers.tally.duplicated, 'newcomer messages duplicated').toBe(0)
}
