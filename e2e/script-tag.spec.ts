import { broadcastTexts, expect, roomTexts, test, whisperTexts } from './fixtures.js'

test('the script-tag page does the whole flow, also with module pages in the same experiment', async ({ newUser }) => {
  const plain = await (await newUser()).openTab('script-tag')
  const plainPartner = await (await newUser()).openTab('script-tag')
  const modern = await (await newUser()).openTab('module')
  expect(await plain.page.evaluate(() => typeof (window as { Switchboard?: unknown }).Switchboard)).toBe('object')

  // Chatroom for the two script-tag pages.
  const room = await plain.roomName()
  for (const p of [plain, plainPartner]) await p.expectState((s) => [s.room, s.connection[room]], [room, 'open'])
  await plain.sendRoom('from a script tag')
  for (const p of [plain, plainPartner]) await p.expectState(roomTexts, ['from a script tag'])

  // Broadcast across both kinds of page.
  await modern.sendBroadcast('hello from a module')
  await plain.sendBroadcast('hello from a script')
  for (const p of [plain, plainPartner, modern]) {
    await p.expectState(broadcastTexts, ['hello from a module', 'hello from a script'])
  }

  // A whisper from the script-tag page reaches the module page only.
  await plain.whisper(modern.id, 'psst')
  await modern.expectState(whisperTexts, ['psst'])
  await plainPartner.sendBroadcast('marker')
  for (const p of [plain, plainPartner, modern]) await p.expectState((s) => broadcastTexts(s).at(-1), 'marker')
  for (const p of [plain, plainPartner]) expect(whisperTexts(await p.state())).toEqual([])
  expect(modern.id).not.toBe(plain.id)
})
