// The real client (Node, ws) against the real server: backlogs, oversized sends, and a late hello.
import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { createClient } from '@switchboard/client'
import type { Client, Payload } from '@switchboard/client'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { silentLog, startServer } from '../src/index.js'
import type { Server, ServerOptions } from '../src/index.js'
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

async function sdk(server: Server, url = `${server.url.replace('http', 'ws')}/chat`, options: { resume?: boolean; helloTimeoutMs?: number } = {}) {
  const { id, token } = await newParticipant(server.url)
  const client: Client = createClient({ url, WebSocket, identity: { participantId: id }, credential: token, minDelayMs: 50, maxDelayMs: 200, ...options })
  cleanups.push(() => client.close())
  return { id, client }
}

describe('the client against the server', () => {
  for (const resume of [true, false]) {
    it(`delivers a backlog of 1,000 sends once and in order, with no forced reconnect (resume ${resume ? 'on' : 'off'})`, async () => {
      const server = await serve({ limits: { framesPerSecond: 1000, frameBurst: 100, participantFramesPerSecond: 1000 } })
      const listener = await peer(server.url, { ...(await newParticipant(server.url)).query('broadcast_channel') })
      const { client } = await sdk(server, undefined, { resume })
      const broadcast = client.openChannel('broadcast_channel')
      const states: string[] = []
      broadcast.onStateChange(({ next }) => states.push(next))
      // All queued before the socket opens: the backlog goes out at once when it does.
      const receipts = Array.from({ length: 1000 }, (_, n) => broadcast.send({ n }))
      const settled = await Promise.all(receipts.map((receipt) => receipt.settled))
      expect(new Set<string>(settled)).toEqual(new Set([resume ? 'acknowledged' : 'sent']))
      await listener.received(1000, 20_000)
      expect(listener.frames.map((frame) => (JSON.parse(frame.slice('broadcast_channel:'.length)) as { n: number }).n)).toEqual(Array.from({ length: 1000 }, (_, n) => n))
      expect(states).toEqual(['open'])
    }, 30_000)
  }

  it('fails a send over the server’s frame limit on its own; the sends after it are acknowledged', async () => {
    const server = await serve({ limits: { maxFrameBytes: 4096 } })
    const listener = await peer(server.url, (await newParticipant(server.url)).query('broadcast_channel'))
    const { client } = await sdk(server)
    const broadcast = client.openChannel('broadcast_channel')
    const errors: string[] = []
    broadcast.onError((error) => errors.push(error.code))
    await broadcast.ready()
    const big = broadcast.send({ text: 'x'.repeat(5000) })
    const after = [broadcast.send({ text: 'small 1' }), broadcast.send({ text: 'small 2' })]
    expect(await big.settled).toBe('failed')
    expect(big.error?.code).toBe('FRAME_TOO_LARGE')
    expect(await Promise.all(after.map((receipt) => receipt.settled))).toEqual(['acknowledged', 'acknowledged'])
    await listener.received(2)
    expect(listener.frames).toEqual(['broadcast_channel:{"text":"small 1"}', 'broadcast_channel:{"text":"small 2"}'])
    expect(errors).toContain('FRAME_TOO_LARGE')
    expect(broadcast.state).toBe('open')
  })

  it('after a reconnect whose hello comes late, every send is acknowledged and every missed message arrives once', async () => {
    const server = await serve()
    const proxy = await delayingProxy(server.port)
    cleanups.push(() => proxy.close())
    const { client } = await sdk(server, `ws://localhost:${proxy.port}/chat`, { helloTimeoutMs: 300 })
    const broadcast = client.openChannel('broadcast_channel')
    const seen: Payload[] = []
    broadcast.onAny((message) => seen.push(message))
    await broadcast.ready()
    expect(await broadcast.send({ text: 'first' }).settled).toBe('acknowledged')

    // The next connection's answers from the server are held for a second, well past the hello timeout.
    proxy.delayNextMs = 1000
    const speaker = await newParticipant(server.url)
    server.dropConnections()
    // Someone else speaks while this client is away (a socket of its own, made after the drop).
    const talker = await peer(server.url, speaker.query('broadcast_channel'))
    for (const n of [1, 2, 3]) talker.send(`broadcast_channel:{"text":"missed ${n}"}`)
    const during = [broadcast.send({ text: 'during 1' }), broadcast.send({ text: 'during 2' })]
    expect(await Promise.all(during.map((receipt) => receipt.settled))).toEqual(['acknowledged', 'acknowledged'])
    // Each exactly once; the talker's and this client's may interleave, each in its own order.
    await expect.poll(() => seen.map((m) => String(m.text)).sort(), { timeout: 10_000 }).toEqual(['during 1', 'during 2', 'first', 'missed 1', 'missed 2', 'missed 3'])
    const texts = seen.map((m) => String(m.text))
    expect(texts.filter((t) => t.startsWith('missed'))).toEqual(['missed 1', 'missed 2', 'missed 3'])
    expect(texts.filter((t) => t.startsWith('during'))).toEqual(['during 1', 'during 2'])
    // Still on the extension afterwards: a later send is acknowledged, not merely sent.
    expect(await broadcast.send({ text: 'later' }).settled).toBe('acknowledged')
  }, 30_000)
})

/**
 * A TCP proxy that, for the next connection after `delayNextMs` is set, passes the upgrade's answer at
 * once and then holds the server's frames (the hello first) that long.
 */
async function delayingProxy(targetPort: number) {
  const sockets = new Set<Socket>()
  const state = { delayNextMs: 0 }
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1')
    const delayMs = state.delayNextMs
    state.delayNextMs = 0
    // Frames wait here, in order, until the delay is over.
    let held: Buffer[] | undefined = delayMs > 0 ? [] : undefined
    const pass = (frames: Buffer) => (held ? held.push(frames) : client.write(frames))
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
      socket.on('close', () => (socket === client ? upstream : client).destroy())
    }
    client.on('data', (chunk) => upstream.write(chunk))
    let upgraded = false
    upstream.on('data', (chunk: Buffer) => {
      let frames = chunk
      if (!upgraded) {
        const end = chunk.indexOf('\r\n\r\n')
        if (end < 0) return void client.write(chunk)
        upgraded = true
        client.write(chunk.subarray(0, end + 4))
        frames = chunk.subarray(end + 4)
        setTimeout(() => {
          for (const waiting of held ?? []) client.write(waiting)
          held = undefined
        }, delayMs)
      }
      if (frames.length > 0) pass(frames)
    })
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    set delayNextMs(ms: number) {
      state.delayNextMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
