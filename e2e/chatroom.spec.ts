import { broadcastTexts, expect, roomTexts, test } from './fixtures.js'

test('room messages reach their members and never the other room', async ({ participants }) => {
  const [p1, p2, p3, p4] = await participants(4)
  if (!p1 || !p2 || !p3 || !p4) throw new Error('four participants expected')
  const roomOf = async (p: typeof p1) => {
    await p.expectState((s) => typeof s.room, 'string')
    return String((await p.state()).room)
  }
  const [one, two] = [await roomOf(p1), await roomOf(p3)]
  expect(one).not.toBe(two)
  const rooms = { one: [p1, p2], two: [p3, p4] }
  for (const [room, members] of [[one, rooms.one], [two, rooms.two]] as const) {
    for (const p of members) await p.expectState((s) => [s.room, s.connection[room]], [room, 'open'])
  }
  await p1.expectState((s) => s.partner, p2.id)
  await p3.expectState((s) => s.partner, p4.id)

  await p1.sendRoom('secret of room one')
  for (const p of rooms.one) await p.expectState(roomTexts, ['secret of room one'])

  // Later messages that arrive everywhere: by then room one's message would have leaked if it could.
  await p3.sendRoom('room two speaks')
  await p4.sendBroadcast('marker')
  for (const p of [p1, p2, p3, p4]) await p.expectState((s) => broadcastTexts(s).includes('marker'), true)
  for (const p of rooms.two) await p.expectState(roomTexts, ['room two speaks'])
  for (const p of rooms.one) expect(roomTexts(await p.state())).toEqual(['secret of room one'])
  for (const p of [p1, p2, p3, p4]) expect((await p.state()).errors).toEqual([])
})
