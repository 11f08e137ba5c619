import { createClient } from '@switchboard/client'
import type { Channel, Client, Payload } from '@switchboard/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { silentLog } from '@switchboard/server'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, privateChannel, startDemoServer } from '../src/index.js'
import type { DemoServer } from '../src/index.js'
import { newParticipant, peer } from '../../server/test/ws-peer.js'

let server: DemoServer
const clients: Client[] = []
beforeEach(async () => {
  // A short grace period, so that a departure shows within the test.
  server = await startDemoServer({ log: silentLog, presence: { graceMs: 300 } })
})
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await server.close()
})

/** Collects every message of a channel and waits for one that matches. */
function inbox(channel: Channel) {
  const messages: Payload[] = []
  channel.onAny((message) => messages.push(message))
  return {
    messages,
    /** The first message that matches; with `latest`, waits until the newest message matches. */
    async waitFor(predicate: (m: Payload) => boolean, { latest = false, timeoutMs = 5000 } = {}): Promise<Payload> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = latest ? [messages.at(-1)].find((m) => m !== undefined && predicate(m)) : messages.find(predicate)
        if (found) return found
        if (Date.now() > deadline) throw new Error(`no matching message in ${JSON.stringify(messages)}`)
        await new Promise((resolve) => setImmediate(resolve))
      }
    },
  }
}

/** A participant as a Node bot: the SDK with `ws`, as a page would use it. */
async function participant() {
  const { participant: p, token } = (await (await fetch(`${server.url}/participant`, { method: 'POST' })).json()) as {
    participant: { id: number; worker_id: string }
    token: string
  }
  const client = createClient({ url: `${server.url.replace('http', 'ws')}/chat`, WebSocket, identity: { participantId: p.id, workerId: p.worker_id }, credential: token })
  clients.push(client)
  const broadcastChannel = client.openChannel(BROADCAST_CHANNEL)
  const broadcast = inbox(broadcastChannel)
  const mine = client.openChannel(privateChannel(p.id))
  const inboxOf = inbox(mine)
  await mine.ready()
  return { id: String(p.id), token, client, broadcast, broadcastChannel, private: inboxOf, channel: mine }
}

describe('chat experiment', () => {
  it('pairs arrivals into a chatroom and tells each its room and partner privately', async () => {
    const a = await participant()
    const b = await participant()
    const announcement = await a.broadcast.waitFor((m) => m.type === 'create_chatroom')
    const room = String(announcement.chatroom)
    // A name never given out before: room_ and an id from the same clock-based counter as participants'.
    expect(room).toMatch(/^room_\d{11,}$/)
    expect(announcement).toEqual({ type: 'create_chatroom', chatroom: room, participant_ids: [a.id, b.id] })
    expect(await a.private.waitFor((m) => m.type === 'assignment')).toEqual({ type: 'assignment', room, partner: b.id, recipient: a.id })
    expect(await b.private.waitFor((m) => m.type === 'assignment')).toEqual({ type: 'assignment', room, partner: a.id, recipient: b.id })
  })

  it('gives each new room a timed round in the server’s time, replayed to a member however late it opens the room', async () => {
    const a = await participant()
    const b = await participant()
    const { room } = await a.private.waitFor((m) => m.type === 'assignment')
    const before = Date.now()
    // b opens its room only now: the round, said when the room was made, comes all the same.
    const roomOfB = inbox(b.client.openChannel(String(room)))
    const round = await roomOfB.waitFor((m) => m.type === 'round')
    expect(round).toMatchObject({ type: 'round', room })
    const startsAt = Number(round.startsAt)
    expect(startsAt).toBeGreaterThan(before + 1000)
    expect(startsAt).toBeLessThanOrEqual(before + 3000)
    expect(Number(round.endsAt) - startsAt).toBe(60_000)
    // Only the experiment announces rounds.
    const forged = b.client.openChannel(String(room)).send({ type: 'round', room: String(room), startsAt: 0, endsAt: 1 })
    expect(await forged.settled).toBe('failed')
  })

  it('tells the one left behind when its partner leaves the room, and pairs it again', async () => {
    const a = await participant()
    const b = await participant()
    const { room } = await a.private.waitFor((m) => m.type === 'assignment')
    const roomOfA = inbox(a.client.openChannel(String(room)))
    await roomOfA.waitFor((m) => m.type === 'round')
    await b.client.openChannel(String(room)).ready()
    await expect.poll(() => server.presence.of(String(room)).length).toBe(2)
    b.client.close()
    expect(await roomOfA.waitFor((m) => m.type === 'chat')).toEqual({ type: 'chat', text: `participant ${b.id} has left`, sender: 'experiment', room })
    const c = await participant()
    const again = await c.private.waitFor((m) => m.type === 'assignment')
    expect(again).toMatchObject({ partner: a.id })
    expect(again.room).not.toBe(room)
  })

  it('keeps a roster from presence on the broadcast channel', async () => {
    const a = await participant()
    const b = await participant()
    const roster = (ids: string[]) => (m: Payload) => m.type === 'roster' && JSON.stringify(m.participants) === JSON.stringify(ids)
    await a.broadcast.waitFor(roster([a.id, b.id]))
    b.client.close()
    await a.broadcast.waitFor(roster([a.id]), { latest: true })
    expect(server.experiment.roster).toEqual([a.id])
  })

  it('relays a whisper to its recipient only, with the sender filled in', async () => {
    const a = await participant()
    const b = await participant()
    const c = await participant()
    a.channel.sendTo(EXPERIMENT_CHANNEL, { type: 'whisper', recipient: Number(c.id), text: 'psst', sender: a.id })
    expect(await c.private.waitFor((m) => m.type === 'whisper')).toEqual({ type: 'whisper', text: 'psst', sender: a.id, recipient: c.id })
    // A later message that everyone sees proves the whisper had its chance to reach the others.
    a.channel.sendTo(BROADCAST_CHANNEL, { type: 'chat', text: 'marker', sender: a.id })
    for (const p of [a, b, c]) await p.broadcast.waitFor((m) => m.text === 'marker')
    expect([...a.private.messages, ...b.private.messages].filter((m) => m.type === 'whisper')).toEqual([])
  })
})

describe('experiment-only messages', () => {
  it('refuses a participant that forges a room announcement or a roster (4403); the others see neither and chat on', async () => {
    const a = await participant()
    const b = await participant()
    await a.broadcast.waitFor((m) => m.type === 'create_chatroom')
    const forger = await newParticipant(server.url)
    for (const forged of ['{"type":"close_chatroom","chatroom":"room_1"}', `{"type":"roster","participants":["${forger.id}"]}`, `{"type":"create_chatroom","chatroom":"room_9","participant_ids":["${a.id}"]}`]) {
      const socket = await peer(server.url, forger.query(BROADCAST_CHANNEL))
      socket.send(`${BROADCAST_CHANNEL}:${forged}`)
      expect(await socket.closed).toMatchObject({ code: 4403, reason: expect.stringMatching(/^only the experiment may send (close_chatroom|roster|create_chatroom) on broadcast_channel$/) })
    }
    a.broadcastChannel.send({ type: 'chat', text: 'still here', sender: a.id })
    await b.broadcast.waitFor((m) => m.text === 'still here')
    expect(b.broadcast.messages.filter((m) => m.type === 'close_chatroom' || m.chatroom === 'room_9')).toEqual([])
    expect(b.broadcast.messages.filter((m) => m.type === 'roster').map((m) => m.participants)).not.toContainEqual([forger.id])
  })
})

describe('a participant back after a reload', () => {
  it('is told its room and partner again on its private channel', async () => {
    const a = await participant()
    const b = await participant()
    const { room } = await a.private.waitFor((m) => m.type === 'assignment')
    // The same participant, a new page: its sockets close, and new ones open with the same credential.
    b.client.close()
    const again = createClient({ url: `${server.url.replace('http', 'ws')}/chat`, WebSocket, identity: { participantId: b.id }, credential: b.token })
    clients.push(again)
    const broadcast = again.openChannel(BROADCAST_CHANNEL)
    const mine = inbox(again.openChannel(privateChannel(b.id)))
    await broadcast.ready()
    expect(await mine.waitFor((m) => m.type === 'assignment')).toEqual({ type: 'assignment', room, partner: a.id, recipient: b.id })
  })
})

describe('impersonation', () => {
  it('refuses a whisper or a chat line that claims another participant as its sender; the others are served', async () => {
    const a = await participant()
    const b = await participant()
    await b.private.waitFor((m) => m.type === 'assignment')
    const forger = await newParticipant(server.url)
    const whisper = await peer(server.url, forger.query(privateChannel(forger.id)))
    whisper.send(`${EXPERIMENT_CHANNEL}:{"type":"whisper","text":"I am a","sender":"${a.id}","recipient":"${b.id}"}`)
    expect(await whisper.closed).toMatchObject({ code: 4403, reason: `sender ${a.id} is not you (participant ${forger.id})` })
    const chat = await peer(server.url, forger.query(BROADCAST_CHANNEL))
    chat.send(`${BROADCAST_CHANNEL}:{"type":"chat","text":"I am a","sender":"${a.id}"}`)
    expect(await chat.closed).toMatchObject({ code: 4403 })
    // The real a whispers and chats as itself, and b gets exactly that.
    a.channel.sendTo(EXPERIMENT_CHANNEL, { type: 'whisper', text: 'really me', sender: a.id, recipient: b.id })
    a.broadcastChannel.send({ type: 'chat', text: 'me too', sender: a.id })
    expect(await b.private.waitFor((m) => m.type === 'whisper')).toEqual({ type: 'whisper', text: 'really me', sender: a.id, recipient: b.id })
    await b.broadcast.waitFor((m) => m.text === 'me too')
    expect(b.broadcast.messages.filter((m) => m.text === 'I am a')).toEqual([])
  })
})

describe('presence churn', () => {
  it('coalesces the roster: a participant opening and closing sockets in a loop sends few rosters, the latest state wins', async () => {
    const watcher = await participant()
    const churner = await newParticipant(server.url)
    const before = watcher.broadcast.messages.length
    const started = Date.now()
    for (let i = 0; i < 40; i++) {
      const socket = await peer(server.url, churner.query(BROADCAST_CHANNEL))
      socket.ws.close()
      await socket.closed
    }
    const churnMs = Date.now() - started
    // Once things settle, the roster says who is really here: the watcher only.
    await watcher.broadcast.waitFor((m) => m.type === 'roster' && JSON.stringify(m.participants) === JSON.stringify([watcher.id]), { latest: true })
    const rosters = watcher.broadcast.messages.slice(before).filter((m) => m.type === 'roster').length
    // 80 connects and disconnects; at most one roster per 250 ms (and one trailing), not 80.
    expect(rosters).toBeLessThanOrEqual(Math.ceil(churnMs / 250) + 2)
    expect(rosters).toBeLessThan(40)
    // And none of them is in the history a resuming reader is replayed.
    const history = await server.broker.history(BROADCAST_CHANNEL, '0-0')
    expect(history.messages.filter((m) => m.data.includes('"roster"'))).toEqual([])
  })
})
