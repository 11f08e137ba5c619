import { compareMessageIds } from '@switchboard/client'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryBroker, silentLog, startServer } from '../src/index.js'
import type { MemoryBrokerOptions, Server } from '../src/index.js'
import { peer } from './ws-peer.js'

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function start(broker: MemoryBrokerOptions = {}): Promise<Server> {
  const server = await startServer({ log: silentLog, allowAnonymous: true, channelRules: [{ channel: 'room', subscribe: 'everyone', publish: 'everyone' }], broker: new MemoryBroker(broker) })
  servers.push(server)
  return server
}

const ID = /^(\d+-\d+) /
const idOf = (frame: string) => ID.exec(frame)?.[1] ?? ''
const helloLast = (frame: string | undefined) => (JSON.parse((frame ?? '').slice(1)) as { last: string }).last
const session = (name: string) => ({ sb: '1', sb_session: `session-${name}`, channel: 'room' })

/**
 * A resuming reader gets message 1 and drops; a plain talker sends `missed` meanwhile; the reader comes
 * back with the id of message 1 as `sb_since`.
 */
async function awayWhile(server: Server, missed: number[]) {
  const talker = await peer(server.url, { channel: 'room' })
  const reader = await peer(server.url, session('reader'))
  talker.send('room:{"n":1}')
  await reader.received(2)
  const since = idOf(reader.frames[1] ?? '')
  reader.ws.terminate()
  for (const n of missed) talker.send(`room:{"n":${n}}`)
  await talker.received(1 + missed.length)
  const back = await peer(server.url, { ...session('reader'), sb_since: since })
  return { since, talker, back }
}

describe('resume extension (?sb=1)', () => {
  it('leaves plain sockets on the plain protocol: no hello, no ids, no acks', async () => {
    const server = await start()
    const plain = await peer(server.url, { channel: 'room' })
    const resuming = await peer(server.url, session('a'))
    await resuming.received(1)
    plain.send('room:{"n":1}')
    await plain.received(1)
    await resuming.received(2)
    expect(plain.frames).toEqual(['room:{"n":1}'])
    expect(resuming.frames[0]).toMatch(/^:\{"type":"hello","v":1,"last":"\d+-\d+","now":\d{13},"maxFrameBytes":65536\}$/)
    expect(resuming.frames[1]).toMatch(/^\d+-\d+ room:\{"n":1\}$/)
  })

  it('acknowledges each numbered frame, and drops a re-sent one (acknowledging it again)', async () => {
    const server = await start()
    const watcher = await peer(server.url, { channel: 'room' })
    const first = await peer(server.url, { ...session('s1'), sb_seq: '1' })
    await first.received(1)
    first.send('room:{"n":1}')
    first.send('room:{"n":2}')
    await first.receivedFrame(':{"type":"ack","seq":2}')
    expect(first.frames).toContain(':{"type":"ack","seq":1}')
    first.ws.terminate()
    // The client never saw ack 2, so it re-sends frame 2 on its next socket, then goes on with 3.
    const second = await peer(server.url, { ...session('s1'), sb_seq: '2', sb_since: idOf(first.frames.find((f) => ID.test(f)) ?? '') })
    second.send('room:{"n":2}')
    second.send('room:{"n":3}')
    await second.receivedFrame(':{"type":"ack","seq":3}')
    expect(second.frames).toContain(':{"type":"ack","seq":2}')
    await watcher.received(3)
    expect(watcher.frames).toEqual(['room:{"n":1}', 'room:{"n":2}', 'room:{"n":3}'])
  })

  it('gives a resuming socket what it missed, in order and once, then live messages', async () => {
    const server = await start()
    const { since, talker, back } = await awayWhile(server, [2, 3, 4])
    talker.send('room:{"n":5}')
    const frames = await back.received(5)
    expect(helloLast(frames[0])).toBe(since)
    expect(frames.slice(1).map((f) => f.replace(ID, ''))).toEqual([2, 3, 4, 5].map((n) => `room:{"n":${n}}`))
    const ids = frames.slice(1).map(idOf)
    expect([...ids].sort(compareMessageIds)).toEqual(ids)
    expect(new Set(ids).size).toBe(4)
  })

  it('sends a gap frame when history no longer holds what came after `since`', async () => {
    const server = await start({ history: { maxMessages: 2 } })
    const { since, back } = await awayWhile(server, [2, 3, 4, 5])
    const frames = await back.received(4)
    const last = helloLast(frames[0])
    expect(frames[1]).toBe(`:{"type":"gap","since":"${since}","last":"${last}"}`)
    expect(frames.slice(2).map((f) => f.replace(ID, ''))).toEqual(['room:{"n":4}', 'room:{"n":5}'])
  })

  it('refuses malformed resume parameters with 4400', async () => {
    const server = await start()
    for (const query of [{ sb_session: 'short' }, { sb_since: 'yesterday' }, { sb_seq: '0' }]) {
      const socket = await peer(server.url, { ...session('bad'), ...query })
      expect(await socket.closed).toMatchObject({ code: 4400 })
    }
  })
})

describe('the SDK against a plain server (no resume extension, as Dallinger)', () => {
  it('falls back by itself: opens after the hello timeout, delivers, settles sends as sent, and stops asking', async () => {
    const { WebSocketServer, WebSocket } = await import('ws')
    const { createClient } = await import('@switchboard/client')
    // Dallinger's relay in a few lines: one channel per socket from ?channel=, frames relayed verbatim, nothing sent on connect.
    const urls: string[] = []
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    wss.on('connection', (ws, request) => {
      urls.push(request.url ?? '')
      const channel = new URL(request.url ?? '/', 'http://x').searchParams.get('channel')
      Object.assign(ws, { channel })
      ws.on('message', (data) => {
        const text = data.toString()
        for (const peerSocket of wss.clients) if ((peerSocket as unknown as { channel: string }).channel === text.slice(0, text.indexOf(':'))) peerSocket.send(text)
      })
    })
    await new Promise((resolve) => wss.once('listening', resolve))
    const { port } = wss.address() as { port: number }
    const client = createClient({ url: `ws://127.0.0.1:${port}/chat`, WebSocket, helloTimeoutMs: 200, minDelayMs: 10, maxDelayMs: 20, identity: { participantId: 1 } })
    try {
      const room = client.openChannel('room')
      const seen: Array<[unknown, string | undefined]> = []
      room.onAny((message, meta) => seen.push([message.n, meta.id]))
      const early = room.send({ n: 1 })
      await room.ready()
      await expect(early.settled).resolves.toBe('sent')
      await expect.poll(() => seen).toEqual([[1, undefined]])
      for (const socket of wss.clients) socket.terminate()
      await expect.poll(() => urls.length).toBe(2)
      await room.ready()
      room.send({ n: 2 })
      await expect.poll(() => seen).toEqual([
        [1, undefined],
        [2, undefined],
      ])
      expect(urls[0]).toContain('sb=1')
      expect(urls[1]).not.toContain('sb=')
    } finally {
      client.close()
      wss.close()
    }
  })
})
