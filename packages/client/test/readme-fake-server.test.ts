import { createClient } from '@switchboard/client'
import { FakeServer } from '@switchboard/client/testing'
import { afterEach, expect, it, vi } from 'vitest'

afterEach(() => vi.useRealTimers())

// The page's logic under test: each participant picks a colour and sees the others' picks.
function pickPage(participantId: number, server: FakeServer) {
  const sb = createClient({ url: server.url, WebSocket: server.WebSocket, identity: { participantId } })
  const room = sb.openChannel('room_1')
  const seen: string[] = []
  room.on('pick', (msg) => {
    if (msg.sender !== participantId) seen.push(String(msg.color))
  })
  return { seen, pick: (color: string) => room.send({ type: 'pick', color, sender: participantId }) }
}

it('two participants in a room see each other’s picks, also through a dropped connection', async () => {
  vi.useFakeTimers()
  const server = new FakeServer()
  const ann = pickPage(1, server)
  const bob = pickPage(2, server)
  await vi.advanceTimersByTimeAsync(10)
  ann.pick('red')
  server.dropAll() // every socket drops; bob picks while his is down
  bob.pick('blue')
  await vi.advanceTimersByTimeAsync(60_000) // the client's backoff, on fake timers
  expect(ann.seen).toEqual(['blue'])
  expect(bob.seen).toEqual(['red'])
  expect(server.published('room_1')).toEqual([
    { type: 'pick', color: 'red', sender: 1 },
    { type: 'pick', color: 'blue', sender: 2 },
  ])
})
