// The ledger's arithmetic: owed deliveries are the bots that had the channel open at the send.
import { describe, expect, it } from 'vitest'
import { Ledger } from '../src/ledger.js'
import { buildReport, formatReport } from '../src/report.js'

describe('the ledger', () => {
  it('owes a message to every bot with its channel open when it was sent, and counts what was lost, doubled and late', () => {
    const ledger = new Ledger()
    ledger.opened('a', 'room')
    ledger.opened('b', 'room')
    const first = ledger.send('a', 'room', 0)
    // c opens only now: it is owed what comes after, not before.
    ledger.opened('c', 'room')
    const second = ledger.send('b', 'room', 100)
    const refused = ledger.send('b', 'room', 100)
    ledger.unsent(refused)
    for (const bot of ['a', 'b']) ledger.arrived(bot, first, 5)
    ledger.arrived('a', second, 110)
    ledger.arrived('a', second, 150)
    ledger.arrived('c', second, 130)
    expect(ledger.tally()).toEqual({ expected: 5, delivered: 4, lost: 1, duplicated: 1 })
    const report = buildReport({ url: 'http://x', mode: 'resume', bots: 3, durationMs: 1000, scriptErrors: [] }, ledger, { connected: 3, reconnects: 1, gaps: 0, refusals: { 4403: 1 } })
    expect(report).toMatchObject({ sent: 2, lost: 1, duplicated: 1, latencyMs: { p50: 10, max: 30 }, refusals: { 4403: 1 } })
    expect(formatReport(report)).toContain('2 sent, 4 of 5 deliveries made, 1 lost, 1 duplicated')
  })
})
