import { broadcastTexts, expect, test } from './fixtures.js'
import type { Participant } from './fixtures.js'

// Short backoff so the test spends its time on behaviour, not on waiting.
const FAST_RETRY = 'minDelayMs=200&maxDelayMs=1000'

let room = ''
const channelsOf = (p: Participant) => ['broadcast_channel', `participant_${p.id}_channel`, room]

test('tabs ride out dropped connections and a server restart, losing nothing they sent meanwhile', async ({ participants, server }) => {
  const tabs = await participants(2, 'module', FAST_RETRY)
  const [sender, other] = tabs
  if (!sender || !other) throw new Error('two participants expected')
  room = await sender.roomName()
  for (const p of tabs) await p.expectState((s) => channelsOf(p).map((c) => s.connection[c]), ['open', 'open', 'open'])

  // 1. The network drops every socket (no close handshake): each channel reconnects by itself.
  server.dropConnections()
  for (const p of tabs) {
    await p.expectState((s) => channelsOf(p).map((c) => [s.connection[c], s.reconnects[c]]), channelsOf(p).map(() => ['open', 1]))
  }

  // 2. The server goes down: every tab shows reconnecting, and what the sender sends is held.
  // What reaches the server, in the order it is published (participants' chat lines only; rosters come and go).
  const published: string[] = []
  const record = (channel: string) =>
    server.broker.subscribe(channel, (data) => {
      const message = JSON.parse(data) as { type?: string; text?: string; sender?: string }
      if (message.type === 'chat' && message.sender !== 'experiment') published.push(`${channel}: ${message.text}`)
    })
  const stopRecording = await Promise.all([record('broadcast_channel'), record(room)])
  await server.stopListening()
  for (const p of tabs) await p.expectState((s) => channelsOf(p).map((c) => s.connection[c]), ['reconnecting', 'reconnecting', 'reconnecting'])
  const whileDown = ['down 1', 'down 2', 'down 3']
  for (const text of whileDown) await sender.sendBroadcast(text)
  await sender.sendRoom('room while down')

  // 3. The server is back: every channel reopens, and what was sent while down arrives once, in order.
  await server.listenAgain()
  for (const p of tabs) await p.expectState((s) => channelsOf(p).map((c) => [s.connection[c], s.reconnects[c]]), channelsOf(p).map(() => ['open', 2]))
  await sender.expectState(broadcastTexts, whileDown)
  // What participants said (under load a restart can outlast the e2e grace period of 3 s, and then
  // the experiment says in the room that the partner left: that is presence doing its job, not a loss).
  await sender.expectState((s) => s.roomChat.filter((m) => m.sender !== 'experiment').map((m) => m.text), ['room while down'])
  // Each channel has its own socket and outbox: order holds within a channel, not across channels.
  await expect.poll(() => published.filter((line) => line.startsWith('broadcast_channel'))).toEqual(whileDown.map((text) => `broadcast_channel: ${text}`))
  await expect.poll(() => published.filter((line) => line.startsWith(room))).toEqual([`${room}: room while down`])

  // 4. Everyone is rewired: a new message reaches both tabs, once.
  await other.sendBroadcast('after the restart')
  for (const p of tabs) await p.expectState((s) => broadcastTexts(s).filter((t) => t === 'after the restart').length, 1)
  for (const p of tabs) expect((await p.state()).errors).toEqual([])
  for (const stop of stopRecording) stop()
})
