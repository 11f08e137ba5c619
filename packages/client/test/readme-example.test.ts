import { createClient } from '@switchboard/client'
import { FakeWebSocket } from '@switchboard/client/testing'
import { afterEach, expect, it } from 'vitest'

afterEach(() => FakeWebSocket.reset())

it('shows what the server sends and sends what the page writes', async () => {
  const sb = createClient({ url: 'ws://test/chat', WebSocket: FakeWebSocket, identity: { participantId: 7 }, resume: false })
  const broadcast = sb.openChannel('broadcast_channel')
  const shown: unknown[] = []
  broadcast.on('chat', (msg) => shown.push(msg.text))
  const socket = await FakeWebSocket.next()
  socket.open()
  socket.receive('broadcast_channel:{"type":"chat","text":"hi"}')
  broadcast.send({ type: 'chat', text: 'hello' })
  expect(shown).toEqual(['hi'])
  expect(socket.sent).toEqual(['broadcast_channel:{"type":"chat","text":"hello"}'])
  sb.close()
})
