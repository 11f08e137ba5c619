import { PAGE_KINDS, expect, roomTexts, test, whisperTexts } from './fixtures.js'

for (const kind of PAGE_KINDS) {
  test(`${kind} page: a reloaded tab is the same participant, back in its room and chatting with its partner; a new tab is a new participant`, async ({ newUser }) => {
    const user = await newUser()
    const reloaded = await user.openTab(kind)
    const partner = await (await newUser()).openTab(kind)
    const room = await reloaded.roomName()
    for (const [p, other] of [[reloaded, partner], [partner, reloaded]] as const) {
      await p.expectState((s) => [s.room, s.partner, s.connection[room]], [room, other.id, 'open'])
    }
    await reloaded.sendRoom('before the reload')
    await partner.expectState(roomTexts, ['before the reload'])

    // Same id, same credential from sessionStorage: nothing is posted again, and the room is back.
    expect(await reloaded.reload()).toBe(reloaded.id)
    expect(reloaded.record.posts).toEqual(['/participant', `/node/${reloaded.id}`])
    await reloaded.expectState((s) => [s.restored, s.room, s.partner, s.connection[room]], [true, room, partner.id, 'open'])
    await expect(reloaded.roomStatus).toHaveText(`you are in ${room} with participant ${partner.id} (here)`)
    for (const p of [reloaded, partner]) await p.expectState((s) => [...s.roster].sort(), [reloaded.id, partner.id].sort())

    // Both ways in the room, and the private channel is its own again.
    await reloaded.sendRoom('after the reload')
    await partner.expectState(roomTexts, ['before the reload', 'after the reload'])
    await partner.sendRoom('welcome back')
    // The reloaded page lost what it showed; its room channel starts again where the room began, so it
    // shows the whole conversation, each line once.
    await reloaded.expectState(roomTexts, ['before the reload', 'after the reload', 'welcome back'])
    await partner.whisper(reloaded.id, 'psst, still you?')
    await reloaded.expectState(whisperTexts, ['psst, still you?'])
    for (const p of [reloaded, partner]) expect((await p.state()).errors).toEqual([])

    // Another tab of the same browser has a sessionStorage of its own: a new participant, unpaired.
    const newTab = await user.openTab(kind)
    expect(newTab.id).not.toBe(reloaded.id)
    await newTab.expectState((s) => [s.restored, s.room], [false, null])
    await expect(newTab.roomStatus).toHaveText('waiting for a partner')
  })
}
