import { PAGE_KINDS, expect, roomTexts, test } from './fixtures.js'

for (const kind of PAGE_KINDS) {
  test(`${kind} page: says what it shows, loads without errors, and says "waiting for a partner" until paired, keeping what is typed meanwhile`, async ({ newUser }) => {
    const first = await (await newUser()).openTab(kind)
    await expect(first.page.getByTestId('intro')).toContainText('one participant of the demo chat experiment')
    await expect(first.roomStatus).toHaveText('waiting for a partner')

    // Typed while unpaired: there is no room to send it to, so it stays (Send is off, Enter does nothing).
    const send = first.page.getByTestId('room-form').getByRole('button', { name: 'Send' })
    await first.roomField.fill('typed while waiting')
    await first.roomField.press('Enter')
    await expect(send).toBeDisabled()
    await expect(first.roomField).toHaveValue('typed while waiting')

    const second = await (await newUser()).openTab(kind)
    const room = await first.roomName()
    for (const [p, other] of [[first, second], [second, first]] as const) {
      await expect(p.roomStatus).toHaveText(`you are in ${room} with participant ${other.id} (here)`)
    }
    await expect(first.roomField).toHaveValue('typed while waiting')
    await send.click()
    await second.expectState(roomTexts, ['typed while waiting'])
    await expect(first.roomField).toHaveValue('')

    // An odd one out waits, and says so.
    const third = await (await newUser()).openTab(kind)
    await expect(third.roomStatus).toHaveText('waiting for a partner')
    await expect(third.page.getByTestId('room-form').getByRole('button', { name: 'Send' })).toBeDisabled()
    await third.expectState((s) => [s.room, s.partner], [null, null])

    // No console errors, no failed requests (the favicon is inline, so none is asked for).
    await expect(first.page.locator('link[rel="icon"]')).toHaveAttribute('href', /^data:image\/svg\+xml,/)
    for (const p of [first, second, third]) expect(p.record.problems).toEqual([])
  })
}
