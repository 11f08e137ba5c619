import { expect, test, whisperTexts } from './fixtures.js'

test("the experiment's private message reaches only its participant", async ({ participants, server }) => {
  const ps = await participants(3)
  const [p1, p2, p3] = ps
  if (!p1 || !p2 || !p3) throw new Error('three participants expected')

  server.experiment.sendPrivate(p2.id, { type: 'whisper', sender: 'experiment', recipient: p2.id, text: 'for p2 only' })
  await p2.expectState(whisperTexts, ['for p2 only'])
  // A later private message to each: once all have theirs, p2's would have reached the others by now.
  for (const p of ps) server.experiment.sendPrivate(p.id, { type: 'whisper', sender: 'experiment', recipient: p.id, text: `marker ${p.id}` })
  for (const p of ps) await p.expectState((s) => whisperTexts(s).includes(`marker ${p.id}`), true)
  for (const p of [p1, p3]) expect(whisperTexts(await p.state())).toEqual([`marker ${p.id}`])
})

test('a whisper reaches only its recipient', async ({ participants, server }) => {
  const ps = await participants(3)
  const [p1, p2, p3] = ps
  if (!p1 || !p2 || !p3) throw new Error('three participants expected')

  await p1.whisper(p3.id, 'psst, p3')
  await p3.expectState(whisperTexts, ['psst, p3'])
  await expect(p3.page.getByTestId('inbox')).toContainText(`whisper from ${p1.id}: psst, p3`)
  for (const p of ps) server.experiment.sendPrivate(p.id, { type: 'whisper', sender: 'experiment', recipient: p.id, text: 'marker' })
  for (const p of ps) await p.expectState((s) => whisperTexts(s).includes('marker'), true)
  for (const p of [p1, p2]) expect(whisperTexts(await p.state())).toEqual(['marker'])
})
