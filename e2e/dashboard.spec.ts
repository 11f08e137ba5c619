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

    // c's tab closes: after the grace period the dashboard has two, and c is gone from the list.
    await c.page.close()
    await expect(dashboard.locator('#present')).toHaveText('2', { timeout: PRESENCE_GRACE_MS + 10_000 })
    await expect(rows).toHaveCount(2)
    expect(await rows.locator('td:first-child').allTextContents()).not.toContain(c.id)
    expect(problems).toEqual([])
    // A dashboard opened now shows how the session got here: the server's timeline of the last minutes.
    const late = await operator.newPage()
    await late.goto('/dashboard')
    await expect(late.locator('#present')).toHaveText('2')
    const timeline = (await (await late.request.get('/dashboard/timeline')).json()) as { t: number[]; present: Array<number | null> }
    expect(timeline.present).toContain(3)
    expect(timeline.present.at(-1)).toBe(2)
    await dashboard.screenshot({ path: process.env.SCREENSHOT ? README_SCREENSHOT : testInfo.outputPath('dashboard.png'), fullPage: true })

    // The record, for the operator: each greeting once, from the participant whose socket sent it.
    const exported = await fetch(`${server.url}/export`, { headers: { authorization: `Bearer ${OPERATOR}` } })
    expect(exported.status).toBe(200)
    const record = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line) as RecordRow)
    const greetings = record.filter((row) => row.kind === 'message' && row.channel === 'broadcast_channel' && (row.payload ?? '').includes('hello'))
    expect(greetings.map((row) => [JSON.parse(row.payload ?? '{}').text, row.participant]).sort()).toEqual([['hello 0', a.id], ['hello 1', b.id], ['hello 2', c.id]])
    expect(record.filter((row) => row.kind === 'leave' && row.participant === c.id).length).toBeGreaterThan(0)
    expect(record.some((row) => row.kind === 'refusal' && row.code === 4401)).toBe(true)
    // What the experiment relays without history (the roster) is in it too, without an id.
    expect(record.some((row) => row.kind === 'message' && row.id === undefined && (row.payload ?? '').includes('"roster"'))).toBe(true)
    await operator.close()
  } finally {
    await server.close()
  }
})

test('the dashboard stays usable with hundreds of participants and channels', async ({ browser }) => {
  // This process sends no presence of its own (another would run the experiment): the synthetic one's is the session's.
  const server = await startDemoServer({ log: silentLog, operatorToken: OPERATOR, runExperiment: false })
  try {
    // What a process of a 600-participant session sends (every tab has a room and a private channel),
    // relayed as the server's own figures are, twice a second for a minute's worth of history.
    const participants = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`p${1000 + i}`, [20 + (i % 400), i % 7] as [number, number]]))
    const channels = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`room_${i}`, 2]))
    const messages = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`room_${i}`, 5 + i]))
    const figures = (at: number) => ({ type: 'figures', process: 'synthetic', at, sockets: 1800, messages: { ...messages, '(other)': 480 }, refusals: { 4403: 3 }, reconnects: 12, gaps: 0, broker: { kind: 'memory', connected: true, outages: 0, lostPublishes: 0 }, presence: { participants, channels } })
    // The session's presence comes from one process, the one that keeps it (here the synthetic one).
    // This server keeps it too, alone in its state, and would send its own, empty, every second: the
    // dashboard shows the presence heard last, so the test leaves this server's own figures out.
    const relayOnly = server.broker.relayOnly.bind(server.broker)
    server.broker.relayOnly = (channel, data, options) =>
      channel === 'switchboard_dashboard' && !data.includes('"process":"synthetic"') ? Promise.resolve('published' as const) : relayOnly(channel, data, options)
    const start = Date.now() - 60_000
    for (let at = start; at < Date.now(); at += 1000) await server.broker.relayOnly('switchboard_dashboard', JSON.stringify(figures(at)))
    const operator = await browser.newContext({ baseURL: server.url })
    const dashboard = await operator.newPage()
    await dashboard.goto(`/dashboard?token=${OPERATOR}`)
    const feeding = setInterval(() => void server.broker.relayOnly('switchboard_dashboard', JSON.stringify(figures(Date.now()))), 500)
    try {
      await expect(dashboard.locator('#present')).toHaveText('600')
      // A hundred rows at most, the worst connections first; the filter finds any one.
      await expect(dashboard.locator('#participants tbody tr')).toHaveCount(100)
      await expect(dashboard.locator('#participant-count')).toHaveText('100 of 600 shown')
      await expect(dashboard.locator('#participants tbody tr').first().locator('td').nth(1)).toHaveText('419')
      await dashboard.locator('#filter').fill('p1234')
      await expect(dashboard.locator('#participants tbody tr')).toHaveCount(1)
      await expect(dashboard.locator('#channels tbody tr')).toHaveCount(20)
      // Six lines at most: the five busiest channels and the rest together.
      await expect.poll(() => dashboard.evaluate(() => document.querySelectorAll('#rate-chart .u-legend .u-series').length)).toBe(7)
      await expect.poll(async () => Number(await dashboard.locator('body').getAttribute('data-tick-ms'))).toBeGreaterThan(0)
      const ticks: number[] = []
      for (let i = 0; i < 5; i++) {
        await dashboard.waitForTimeout(1000)
        ticks.push(Number(await dashboard.locator('body').getAttribute('data-tick-ms')))
      }
      console.log(`dashboard with 600 participants and 300 channels: a redraw takes ${ticks.join(', ')} ms`)
    } finally {
      clearInterval(feeding)
    }
    await operator.close()
  } finally {
    await server.close()
  }
})
