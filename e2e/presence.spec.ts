import { PRESENCE_GRACE_MS, expect, roomTexts, test } from './fixtures.js'

// Short backoff, so a dropped tab is back well within the grace period.
const FAST_RETRY = 'minDelayMs=100&maxDelayMs=500'

test('a partner whose connection drops and comes back within the grace period never left; one whose tab closes leaves once, after it', async ({ participants, server }) => {
  const [a, b] = await participants(2, 'module', FAST_RETRY)
  if (!a || !b) throw new Error('two participants expected')
  const room = await a.roomName()
  for (const [p, other] of [[a, b], [b, a]] as const) await expect(p.roomStatus).toHaveText(`you are in ${room} with participant ${other.id} (here)`)

  // Every socket drops (a network blip): both tabs reconnect within the grace period.
  const droppedAt = Date.now()
  server.dropConnections()
  for (const p of [a, b]) await p.expectState((s) => s.reconnects[room], 1)
  for (const p of [a, b]) await p.expectState((s) => s.connection[room], 'open')
  expect(Date.now() - droppedAt).toBeLessThan(PRESENCE_GRACE_MS)
  // Past the grace period, nobody has left: no word in the room, partners still here, the roster whole.
  await expect.poll(() => Date.now() - droppedAt, { timeout: 2 * PRESENCE_GRACE_MS }).toBeGreaterThan(PRESENCE_GRACE_MS + 500)
  for (const p of [a, b]) {
    expect(roomTexts(await p.state())).toEqual([])
    expect((await p.state()).partnerHere).toBe(true)
    expect([...(await p.state()).roster].sort()).toEqual([a.id, b.id].sort())
  }

  // b's tab closes: a hears it once, after the grace period; the roster shrinks; the partner shows away.
  const closedAt = Date.now()
  await b.page.close()
  await a.expectState((s) => roomTexts(s), [`participant ${b.id} has left`])
  expect(Date.now() - closedAt).toBeGreaterThanOrEqual(PRESENCE_GRACE_MS - 100)
  await a.expectState((s) => s.roster, [a.id])
  await expect(a.roomStatus).toHaveText(`you are in ${room} with participant ${b.id} (away)`)
  expect(roomTexts(await a.state())).toEqual([`participant ${b.id} has left`])
})
