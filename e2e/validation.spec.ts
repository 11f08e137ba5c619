import { WebSocket } from 'ws'
import { broadcastTexts, expect, test } from './fixtures.js'

test('a payload that fails its schema is shown as rejected, with the reason, and the pages keep working', async ({ participants, server }) => {
  // Module pages validate with zod, the script-tag page with its hand-written Standard Schemas.
  const pages = [...(await participants(2)), ...(await participants(1, 'script-tag'))]

  // A misbehaving client: a participant's raw socket from the test, not a page, sending what the schema forbids.
  const { participant, token } = (await (await fetch(`${server.url}/participant`, { method: 'POST' })).json()) as { participant: { id: number }; token: string }
  const rogue = new WebSocket(`${server.url.replace('http', 'ws')}/chat?channel=broadcast_channel&participant_id=${participant.id}&token=${token}`)
  await new Promise((resolve, reject) => rogue.once('open', resolve).once('error', reject))
  // The server relays it (a null sender names nobody else; an object sender it refuses, 4403), the pages' schemas refuse it.
  const bad = 'broadcast_channel:{"type":"chat","text":"","sender":null}'
  rogue.send(bad)
  rogue.send('broadcast_channel:{"type":"chat","text":')
  rogue.send('broadcast_channel:{"type":"chat"}')

  for (const p of pages) {
    await p.expectState((s) => s.errors.map((e) => [e.code, e.raw]), [
      ['INVALID_MESSAGE', bad],
      ['INVALID_JSON', 'broadcast_channel:{"type":"chat","text":'],
      ['INVALID_MESSAGE', 'broadcast_channel:{"type":"chat"}'],
    ])
    expect(broadcastTexts(await p.state())).toEqual([])
  }
  await expect(pages[0]!.page.getByTestId('errors')).toContainText('INVALID_MESSAGE: Rejected "chat": text:')
  // Never shown as a chat line of "undefined: undefined", as the script-tag page once did.
  await expect(pages[2]!.page.getByTestId('errors')).toContainText('INVALID_MESSAGE: Rejected "chat": text: expected a string of 1 to 2000 characters; sender: expected a participant id')
  for (const p of pages) await expect(p.page.getByTestId('broadcast-feed')).toHaveText('')

  await pages[1]?.sendBroadcast('still here')
  for (const p of pages) await p.expectState(broadcastTexts, ['still here'])
  rogue.close()
})
