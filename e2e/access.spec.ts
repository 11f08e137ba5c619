import { expect, test } from './fixtures.js'

test("another user cannot read a participant's private channel nor a room it is not in, even by hand", async ({ participants, newUser }) => {
  const [a, b] = await participants(2)
  if (!a || !b) throw new Error('two participants expected')
  await a.expectState((s) => typeof s.room, 'string')
  const room = String((await a.state()).room)
  for (const p of [a, b]) await p.expectState((s) => s.connection[room], 'open')
  const mallory = await (await newUser()).openTab()

  // Through the SDK on the intruder's page: each refusal shows on the page, and nothing retries.
  await mallory.page.evaluate((id) => (window as unknown as { demo: { open(name: string): unknown } }).demo.open(`participant_${id}_channel`), a.id)
  await mallory.page.evaluate((name) => (window as unknown as { demo: { open(name: string): unknown } }).demo.open(name), room)
  await mallory.expectState((s) => [s.connection[`participant_${a.id}_channel`], s.connection[room]], ['closed', 'closed'])
  await mallory.expectState((s) => s.errors.map((e) => e.code), ['CONNECTION_REFUSED', 'CONNECTION_REFUSED'])
  await expect(mallory.page.getByTestId('errors')).toContainText('4403')

  // By hand, with a raw WebSocket from the page: with its own credential, or posing as the other.
  const closes = await mallory.page.evaluate(async ({ target, room }) => {
    const { credential, participantId } = (window as unknown as { demo: { credential: string; participantId: string } }).demo
    const attempt = (query: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/chat?${query}`)
        ws.onmessage = (event) => resolve(`read: ${String(event.data)}`)
        ws.onclose = (event) => resolve(`${event.code} ${event.reason}`)
      })
    return Promise.all([
      attempt(`channel=participant_${target}_channel&participant_id=${participantId}&token=${credential}`),
      attempt(`channel=participant_${target}_channel&participant_id=${target}&token=${credential}`),
      attempt(`channel=participant_${target}_channel&participant_id=${target}`),
      attempt(`channel=${room}&participant_id=${participantId}&token=${credential}`),
    ])
  }, { target: a.id, room })
  expect(closes).toEqual([
    `4403 only participant ${a.id} may read participant_${a.id}_channel`,
    `4401 invalid credential: the token is not participant ${a.id}'s`,
    '4401 credential required (the token from POST /participant, or the experiment\'s credential route)',
    `4403 only members may read ${room}`,
  ])

  // The participants themselves go on undisturbed.
  await a.sendRoom('still private')
  await b.expectState((s) => s.roomChat.map((m) => m.text), ['still private'])
})
