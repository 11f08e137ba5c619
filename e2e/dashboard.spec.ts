import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { startDemoServer } from '@switchboard/demo'
import { silentLog } from '@switchboard/server'
import type { RecordRow } from '@switchboard/server'
import { PRESENCE_GRACE_MS, expect, test } from './fixtures.js'

const OPERATOR = 'operator-token-of-the-dashboard-test'
// SCREENSHOT=1 writes the picture the demo's README shows.
const README_SCREENSHOT = fileURLToPath(new URL('../packages/demo/docs/dashboard.png', import.meta.url))

/** Opens a socket and resolves with the code the server closed it with. */
function closeCodeOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.on('close', (code) => resolve(code))
    socket.on('error', reject)
  })
}

test('the dashboard shows who is in a running session and updates when one leaves; the record is the operator’s alone', async ({ browser, newUser }, testInfo) => {
  const server = await startDemoServer({ log: silentLog, presence: { graceMs: PRESENCE_GRACE_MS }, operatorToken: OPERATOR, recordDir: mkdtempSync(join(tmpdir(), 'dashboard-record-')) })
  try {
    const tabs = []
    for (let n = 0; n < 3; n++) tabs.push(await (await newUser(server.url)).openTab())
    const [a, b, c] = tabs
    if (!a || !b || !c) throw new Error('three participants')
    for (const [n, tab] of tabs.entries()) await tab.sendBroadcast(`hello ${n}`)

    // A participant's credential opens neither the export nor the dashboard, page or socket.
    const participant = (await (await fetch(`${server.url}/participant`, { method: 'POST' })).json()) as { participant: { id: number }; token: string }
    expect((await fetch(`${server.url}/export`, { headers: { authorization: `Bearer ${participant.token}` } })).status).toBe(401)
    expect((await fetch(`${server.url}/dashboard`, { headers: { authorization: `Bearer ${participant.token}` } })).status).toBe(401)
    const ws = server.url.replace(/^http/, 'ws')
    expect(await closeCodeOf(`${ws}/chat?channel=switchboard_dashboard&participant_id=${participant.participant.id}&token=${participant.token}`)).toBe(4401)
    // A forged credential is refused, and the dashboard counts the refusal.
    expect(await closeCodeOf(`${ws}/chat?channel=broadcast_channel&participant_id=${a.id}&token=forged`)).toBe(4401)

    // The operator opens the dashboard by the link with the token; the address keeps it no longer.
    const operator = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } })
    const dashboard = await operator.newPage()
    const problems: string[] = []
    dashboard.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())))
    await dashboard.goto(`/dashboard?token=${OPERATOR}`)
    expect(new URL(dashboard.url()).search).toBe('')
    await expect(dashboard.locator('#connection')).toHaveText('live')
    await expect(dashboard.locator('#present')).toHaveText('3')
    const rows = dashboard.locator('#participants tbody tr')
    await expect(rows).toHaveCount(3)
    // Listed worst connection first, so compared as sets.
    expect((await rows.locator('td:first-child').allTextContents()).sort()).toEqual([a.id, b.id, c.id].sort())
    // Each has its connection measured (the server's protocol ping at open).
    await expect.poll(async () => (await rows.locator('td:nth-child(2)').allTextContents()).every((rtt) => /^\d+$/.test(rtt))).toBe(true)
    await expect(dashboard.locator('#refusal-codes tbody')).toContainText('4401')
    await expect(dashboard.locator('#broker')).toHaveText('ok')
    await expect(dashboard.locator('#present-chart canvas')).toHaveCount(1)
    await expect(dashboard.locator('#rate-chart canvas')).toHaveCount(1)
    await dashboard.screenshot({ path: process.env.SCREENSHOT ? README_SCREENSHOT : testInfo.outputPath('dashboard.png'), fullPage: true })

    // c's tab closes: after the grace period the dashboard has two, and c is gone from the list.
    await c.page.close()
    await expect(dashboard.locator('#present')).toHaveText('2', { timeout: PRESENCE_GRACE_MS + 10_000 })
    await expect(rows).toHaveCount(2)
    expect(await rows.locator('td:first-child').allTextContents()).not.toContain(c.id)
    expect(problems).toEqual([])

    // The record, for the operator: each greeting once, from the participant whose socket sent it.
    const exported = await fetch(`${server.url}/export`, { headers: { authorization: `Bearer ${OPERATOR}` } })
    expect(exported.status).toBe(200)
    const record = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line) as RecordRow)
    const greetings = record.filter((row) => row.kind === 'message' && row.channel === 'broadcast_channel' && (row.payload ?? '').includes('hello'))
    expect(greetings.map((row) => [JSON.parse(row.payload ?? '{}').text, row.participant]).sort()).toEqual([['hello 0', a.id], ['hello 1', b.id], ['hello 2', c.id]])
    expect(record.filter((row) => row.kind === 'leave' && row.participant === c.id).length).toBeGreaterThan(0)
    expect(record.some((row) => row.kind === 'refusal' && row.code === 4401)).toBe(true)
    await operator.close()
  } finally {
    await server.close()
  }
})
