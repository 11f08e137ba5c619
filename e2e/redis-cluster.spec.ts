import { broadcastTexts, expect, roomTexts, test, whisperTexts } from './fixtures.js'

test('participants on two server processes share broadcast, rooms, private messages and the roster', async ({ cluster, newUser }) => {
  const [one, two] = cluster.urls
  if (!one || !two) throw new Error('two processes expected')
  // Alternate servers, so each pair's room spans both processes.
  const ps = []
  for (const url of [one, two, one, two]) ps.push(await (await newUser(url)).openTab())
  const [p1, p2, p3, p4] = ps
  if (!p1 || !p2 || !p3 || !p4) throw new Error('four participants expected')
  const ids = ps.map((p) => p.id)
  expect(new Set(ids).size).toBe(4)

  for (const p of ps) await p.expectState((s) => s.roster, ids)
  const [roomOne, roomTwo] = [await p1.roomName(), await p3.roomName()]
  expect(roomOne).not.toBe(roomTwo)
  for (const [p, room] of [[p1, roomOne], [p2, roomOne], [p3, roomTwo], [p4, roomTwo]] as const) {
    await p.expectState((s) => [s.room, s.connection[room]], [room, 'open'])
  }

  await p2.sendBroadcast('from process two')
  for (const p of ps) await p.expectState(broadcastTexts, ['from process two'])

  await p2.sendRoom('room one, across processes')
  for (const p of [p1, p2]) await p.expectState(roomTexts, ['room one, across processes'])

  await p4.whisper(p1.id, 'psst from the other process')
  await p1.expectState(whisperTexts, ['psst from the other process'])

  await p3.sendBroadcast('marker')
  for (const p of ps) await p.expectState((s) => broadcastTexts(s).at(-1), 'marker')
  for (const p of [p3, p4]) expect(roomTexts(await p.state())).toEqual([])
  for (const p of [p2, p3, p4]) expect(whisperTexts(await p.state())).toEqual([])
})
