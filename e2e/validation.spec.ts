import { WebSocket } from 'ws'
import { broadcastTexts, expect, test } from './fixtures.js'

test('a payload that fails its schema is shown as rejected, and the pages keep working', async ({ participants, server }) => {
  const pages = await participants(3)

  // A misbehaving client: a participant's raw socket from the test, not a page, sending what the schema forbids.
  const { participant, token } = (await (await fetch(`${server.url}/participant`, { method: 'POST' })).json()) as { participant: { id: number }; token: string }
  const rogue = new WebSocket(`${server.url.replace('http', 'ws')}/chat?channel=broadcast_channel&participant_id=${participant.id}&token=${token}`)
  await new Promise((resolve, reject) => rogue.once('open', resolve).once('error', reject))
  const bad = 'broadcast_channel:{"type":"chat","text":"","sender":{"html":"<img src=x>"}}'
  rogue.send(bad)
  rogue.send('broadcast_channel:{"type":"chat","text":')

  for (const p of pages) {
    await p.expectState((s) => s.errors.map((e) => [e.code, e.raw]), [
      ['INVALID_MESSAGE', bad],
      ['INVALID_JSON', 'broadcast_channel:{"type":"chat","text":'],
    ])
    expect(broadcastTexts(await p.state())).toEqual([])
  }
  await expect(pages[0]!.page.getByTestId('errors')).toContainText('INVALID_MESSAGE')

  await pages[1]?.sendBroadcast('still here')
  for (const p of pages) await p.expectState(broadcastTexts, ['still here'])
  rogue.close()
})
