// What reaches the server is published: frames sent just before a close, a plain client's backlog, the
// first words in a new room or on a private channel before its reader's socket is up.
import { createClient } from '@switchboard/client'
import type { Client } from '@switchboard/client'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { silentLog, startServer } from '../src/index.js'
import type { Experiment, ExperimentApi, Server, ServerOptions } from '../src/index.js'
import { newParticipant, peer } from './ws-peer.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serve(options: ServerOptions = {}): Promise<Server> {
  const server = await startServer({ log: silentLog, ...options })
  cleanups.push(() => server.close())
  return server
}

describe('frames that reached the server', () => {
  it('are published when the page closes its socket right after sending, as chatroom_ws does on leaving', async () => {
    const server = await serve({ allowAnonymous: true, channelRules: 'dallinger' })
    const listener = await peer(server.url, { channel: 'chatroom' })
    for (let n = 0; n < 8; n++) {
      // Sent and closed at once, before the server has even let the socket in.
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/chat?channel=chatroom&participant_id=${n}`)
      ws.once('open', () => {
        ws.send(`chatroom:{"type":"chat","text":"participant ${n} has left the chat"}`)
        ws.close()
      })
    }
    await listener.received(8)
    expect(listener.frames.map((frame) => /participant (\d)/.exec(frame)?.[1]).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'])
  })

  it('are all published when a plain client writes a backlog of 300 at once at the default limits, so every `sent` holds', async () => {
    const server = await serve()
    const listener = await peer(server.url, (await newParticipant(server.url)).query('broadcast_channel'))
    const { id, token } = await newParticipant(server.url)
    const client: Client = createClient({ url: `${server.url.replace('http', 'ws')}/chat`, WebSocket, identity: { participantId: id }, credential: token, resume: false })
    cleanups.push(() => client.close())
    const broadcast = client.openChannel('broadcast_channel')
    const receipts = Array.from({ length: 300 }, (_, n) => broadcast.send({ n }))
    expect(new Set(await Promise.all(receipts.map((receipt) => receipt.settled)))).toEqual(new Set(['sent']))
    // Over the burst, the server reads them at its rate instead of closing the socket: about 4 s.
    await listener.received(300, 15_000)
    expect(listener.frames.map((frame) => (JSON.parse(frame.slice('broadcast_channel:'.length)) as { n: number }).n)).toEqual(Array.from({ length: 300 }, (_, n) => n))
    expect(broadcast.state).toBe('open')
  }, 20_000)

  it('refuses a frame number past 2^53 - 1 with 4400 instead of numbering two frames alike', async () => {
    const server = await serve()
    const a = await newParticipant(server.url)
    const socket = await peer(server.url, { ...a.query('broadcast_channel'), sb: '1', sb_session: 'edge-of-numbers', sb_seq: String(Number.MAX_SAFE_INTEGER) })
    await socket.received(1)
    socket.send(`broadcast_channel:{"n":1,"sender":${a.id}}`)
    await socket.receivedFrame(`:{"type":"ack","seq":${Number.MAX_SAFE_INTEGER}}`)
    socket.send(`broadcast_channel:{"n":2,"sender":${a.id}}`)
    expect(await socket.closed).toMatchObject({ code: 4400, reason: 'frame numbers past 2^53 - 1' })
  })
})

/** An experiment that puts every two participants who say "pair me" into a new room, and can whisper. */
function pairing(): Experiment & { api?: ExperimentApi; rooms: string[] } {
  const waiting: string[] = []
  const experiment: Experiment & { api?: ExperimentApi; rooms: string[] } = {
    channel: 'experiment_channel',
    rooms: [],
    start(api) {
      experiment.api = api
    },
    receiveMessage(message, { participantId }) {
      if (message.type !== 'pair me' || participantId === null) return
      waiting.push(participantId)
      if (waiting.length < 2) return
      void experiment.api?.createRoom(waiting.splice(0)).then((room) => experiment.rooms.push(room))
    },
  }
  return experiment
}

describe('a reader whose socket comes up late', () => {
  it('gets what was said in its room since the room began, and what was sent to its private channel before it subscribed', async () => {
    const experiment = pairing()
    const server = await serve({
      experiment,
      channelRules: [
        { channel: 'broadcast_channel', subscribe: 'everyone', publish: 'everyone' },
        { channel: 'experiment_channel', subscribe: 'experiment', publish: 'everyone' },
        { channel: 'room_*', subscribe: 'members', publish: 'members' },
        { channel: 'participant_{id}_channel', subscribe: 'owner', publish: 'owner' },
      ],
    })
    const [a, b] = [await newParticipant(server.url), await newParticipant(server.url)]
    // Before b has any socket, the experiment writes to b's private channel.
    experiment.api?.publishToSubscribers({ type: 'welcome' }, `participant_${b.id}_channel`)
    for (const p of [a, b]) (await peer(server.url, p.query('broadcast_channel'))).send('experiment_channel:{"type":"pair me"}')
    await expect.poll(() => experiment.rooms.length).toBe(1)
    const room = experiment.rooms[0] ?? ''
    expect(room).toMatch(/^room_\d{11,}$/)
    // a is in at once and speaks; b's room socket comes up only afterwards.
    const early = await peer(server.url, { ...a.query(room), sb: '1', sb_session: 'a-room-session' })
    early.send(`${room}:{"text":"first!"}`)
    await early.receivedFrame(':{"type":"ack","seq":1}')
    const late = await peer(server.url, { ...b.query(room), sb: '1', sb_session: 'b-room-session' })
    await expect.poll(() => late.frames.filter((frame) => frame.includes('"first!"')).length).toBe(1)
    expect(late.frames.some((frame) => frame.includes('"type":"gap"'))).toBe(false)
    const inbox = await peer(server.url, { ...b.query(`participant_${b.id}_channel`), sb: '1', sb_session: 'b-inbox-session' })
    await expect.poll(() => inbox.frames.filter((frame) => frame.includes('"welcome"')).length).toBe(1)
    // A plain (stock) socket still starts at now, as Dallinger's do.
    const plain = await peer(server.url, b.query(room))
    early.send(`${room}:{"text":"second"}`)
    await plain.receivedFrame(`${room}:{"text":"second"}`)
    expect(plain.frames).toEqual([`${room}:{"text":"second"}`])
  })
})
