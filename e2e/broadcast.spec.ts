import { broadcastTexts, expect, test } from './fixtures.js'

test('a broadcast reaches every participant exactly once, the sender included', async ({ newUser }) => {
  // Two tabs of one user (two participants sharing a browser) and a second user.
  const alice = await newUser()
  const bob = await newUser()
  const all = [await alice.openTab(), await alice.openTab(), await bob.openTab()]
  expect(new Set(all.map((p) => p.id)).size).toBe(3)

  await all[0]?.sendBroadcast('hello everyone 👋 <b>not bold</b>')
  // A later message from another sender: once it is everywhere, the first had every chance to repeat.
  await all[2]?.sendBroadcast('marker')
  for (const p of all) {
    await p.expectState((s) => broadcastTexts(s).filter((t) => t === 'marker').length, 1)
    expect(broadcastTexts(await p.state()).filter((t) => t === 'hello everyone 👋 <b>not bold</b>')).toHaveLength(1)
  }
  // Chat text is shown as text, never as HTML.
  await expect(all[1]!.page.getByTestId('broadcast-feed')).toContainText('<b>not bold</b>')
  await expect(all[1]!.page.locator('[data-testid="broadcast-feed"] b')).toHaveCount(0)
})

test('every page shows the roster of who is connected', async ({ participants }) => {
  const ps = await participants(3)
  const ids = ps.map((p) => p.id)
  for (const p of ps) await p.expectState((s) => s.roster, ids)
  await ps[2]?.page.close()
  for (const p of ps.slice(0, 2)) await p.expectState((s) => s.roster, ids.slice(0, 2))
})
