import { afterEach, describe, expect, it } from 'vitest'
import { silentLog, startServer } from '../src/index.js'
import type { Server, ServerOptions } from '../src/index.js'
import { newParticipant, peer } from './ws-peer.js'

let server: Server
afterEach(async () => {
  await server.close()
})
const start = async (options: ServerOptions = {}) => {
  server = await startServer({ log: silentLog, ...options })
  return server
}
const closeOf = async (query: Record<string, string>, options = {}) => (await (await peer(server.url, query, options)).closed)

describe('credentials', () => {
  it('refuses a socket without, with a wrong, or with another participant’s credential (4401)', async () => {
    await start()
    const alice = await newParticipant(server.url)
    const bob = await newParticipant(server.url)
    expect(await closeOf({ channel: 'broadcast_channel', participant_id: alice.id })).toMatchObject({ code: 4401 })
    expect(await closeOf({ channel: 'broadcast_channel', participant_id: alice.id, token: 'forged' })).toMatchObject({ code: 4401 })
    expect(await closeOf({ channel: 'broadcast_channel', participant_id: alice.id, token: bob.token })).toMatchObject({ code: 4401, reason: `invalid credential: the token is not participant ${alice.id}'s` })
    expect(await closeOf({ channel: 'broadcast_channel', token: bob.token })).toMatchObject({ code: 4401, reason: 'a token needs the participant_id it was issued for' })
    expect(await closeOf({ channel: 'broadcast_channel' })).toMatchObject({ code: 4401, reason: expect.stringContaining('credential required') })
  })

  it('verifies a credential only in its canonical encoding', async () => {
    await start()
    const alice = await newParticipant(server.url)
    const standard = Buffer.from(alice.token, 'base64url').toString('base64')
    const variants = [`${alice.token}=`, `${alice.token}==`, `${alice.token}x`, `${alice.token.slice(0, 10)}.${alice.token.slice(10)}`, standard, ` ${alice.token}`]
    for (const token of variants.filter((t) => t !== alice.token)) {
      expect(await closeOf({ channel: 'broadcast_channel', participant_id: alice.id, token }), token).toMatchObject({ code: 4401 })
    }
    // The canonical token still works, and a bystander was never disturbed.
    await peer(server.url, alice.query('broadcast_channel'))
  })

  it('binds a socket to its participant: the own private channel opens, another’s does not (4403)', async () => {
    await start()
    const alice = await newParticipant(server.url)
    const bob = await newParticipant(server.url)
    const mine = await peer(server.url, alice.query(`participant_${alice.id}_channel`))
    expect(await closeOf(alice.query(`participant_${bob.id}_channel`))).toMatchObject({ code: 4403 })
    mine.send(`participant_${alice.id}_channel:{"note":"to self"}`)
    expect(await mine.received(1)).toEqual([`participant_${alice.id}_channel:{"note":"to self"}`])
  })

  it('lets stock Dallinger pages in under the compatibility switch, bound to the id they claim', async () => {
    await start({ allowAnonymous: true })
    const page = await peer(server.url, { channel: 'participant_9_channel', participant_id: '9' })
    page.send('broadcast_channel:{"type":"chat","text":"hi","sender":9}')
    expect(await closeOf({ channel: 'participant_9_channel', participant_id: '8' })).toMatchObject({ code: 4403 })
    page.ws.close()
  })
})

describe('channel access', () => {
  it('opens a room to its members only', async () => {
    await start()
    const [a, b, c] = [await newParticipant(server.url), await newParticipant(server.url), await newParticipant(server.url)]
    await server.rooms.set('room_x', [a.id, b.id])
    const member = await peer(server.url, a.query('room_x'))
    expect(await closeOf(c.query('room_x'))).toMatchObject({ code: 4403, reason: 'only members may read room_x' })
    // A member may write to the room; an outsider writing from another channel is refused.
    const outsider = await peer(server.url, c.query('broadcast_channel'))
    outsider.send('room_x:{"text":"let me in"}')
    expect(await outsider.closed).toMatchObject({ code: 4403 })
    const other = await peer(server.url, b.query('room_x'))
    other.send('room_x:{"text":"hello room"}')
    expect(await member.received(1)).toEqual(['room_x:{"text":"hello room"}'])
  })

  it('keeps dallinger_control and the experiment inbox to the server, and unknown channels closed', async () => {
    await start()
    const a = await newParticipant(server.url)
    expect(await closeOf(a.query('dallinger_control'))).toMatchObject({ code: 4403 })
    expect(await closeOf(a.query('experiment_channel'))).toMatchObject({ code: 4403, reason: 'experiment_channel is write-only' })
    expect(await closeOf(a.query('no_such_channel'))).toMatchObject({ code: 4404 })
    for (const target of ['dallinger_control', 'participant_999_channel']) {
      const sender = await peer(server.url, a.query('broadcast_channel'))
      sender.send(`${target}:{"type":"websocket","event":"connected"}`)
      expect(await sender.closed).toMatchObject({ code: 4403 })
    }
    const whisperer = await peer(server.url, a.query('broadcast_channel'))
    whisperer.send(`experiment_channel:{"type":"chat","text":"to the experiment","sender":${a.id}}`)
    whisperer.send(`broadcast_channel:{"type":"chat","text":"still open","sender":${a.id}}`)
    await whisperer.receivedFrame(`broadcast_channel:{"type":"chat","text":"still open","sender":${a.id}}`)
    expect(whisperer.frames.filter((f) => f.includes('to the experiment'))).toEqual([])
  })

  it('allows the server’s own origin and clients without one, and refuses other sites (4403)', async () => {
    await start()
    const a = await newParticipant(server.url)
    const own = new URL(server.url)
    await peer(server.url, a.query('broadcast_channel'), { origin: `http://${own.host}` })
    await peer(server.url, a.query('broadcast_channel'))
    expect(await closeOf(a.query('broadcast_channel'), { origin: 'https://evil.example' })).toMatchObject({ code: 4403, reason: 'origin https://evil.example is not allowed' })
  })
})

describe('pages on other origins', () => {
  it('adds ALLOWED_ORIGINS to the server’s own origin: both connect, other sites do not', async () => {
    await start({ allowedOrigins: ['http://pages.example:5124'] })
    const a = await newParticipant(server.url)
    await peer(server.url, a.query('broadcast_channel'), { origin: `http://${new URL(server.url).host}` })
    await peer(server.url, a.query('broadcast_channel'), { origin: 'http://pages.example:5124' })
    expect(await closeOf(a.query('broadcast_channel'), { origin: 'http://pages.example:9999' })).toMatchObject({ code: 4403 })
  })

  it('answers CORS on the participant endpoints for allowed origins only, and creates nothing for the others', async () => {
    await start({ allowedOrigins: ['http://pages.example:5124'] })
    const preflight = await fetch(`${server.url}/participant`, { method: 'OPTIONS', headers: { origin: 'http://pages.example:5124', 'access-control-request-method': 'POST' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://pages.example:5124')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    const created = await fetch(`${server.url}/participant`, { method: 'POST', headers: { origin: 'http://pages.example:5124' } })
    expect(created.headers.get('access-control-allow-origin')).toBe('http://pages.example:5124')
    const { participant, token } = (await created.json()) as { participant: { id: number }; token: string }
    expect(participant.id).toEqual(expect.any(Number))
    await peer(server.url, { channel: 'broadcast_channel', participant_id: String(participant.id), token }, { origin: 'http://pages.example:5124' })

    const refused = await fetch(`${server.url}/participant`, { method: 'POST', headers: { origin: 'https://evil.example' } })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    expect((await fetch(`${server.url}/participant`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })).status).toBe(403)
    // Nothing was created for the refused page: the next participant is the next number.
    expect((await newParticipant(server.url)).id).toBe(String(participant.id + 1))
    // The server's own pages need no CORS.
    const own = await fetch(`${server.url}/participant`, { method: 'POST', headers: { origin: `http://${new URL(server.url).host}` } })
    expect(own.status).toBe(200)
    expect(own.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('limits and bad input', () => {
  it('closes a socket that sends a frame over the size limit with 1009', async () => {
    await start({ limits: { maxFrameBytes: 1024 } })
    const a = await newParticipant(server.url)
    const big = await peer(server.url, a.query('broadcast_channel'))
    big.send(`broadcast_channel:${JSON.stringify({ text: 'x'.repeat(2000) })}`)
    expect((await big.closed).code).toBe(1009)
  })

  it('refuses sockets and channels past the per-participant limits with 4429', async () => {
    await start({ limits: { connectionsPerParticipant: 2, channelsPerParticipant: 1 } })
    const a = await newParticipant(server.url)
    await peer(server.url, a.query('broadcast_channel'))
    expect(await closeOf(a.query(`participant_${a.id}_channel`))).toMatchObject({ code: 4429 })
    await peer(server.url, a.query('broadcast_channel'))
    expect(await closeOf(a.query('broadcast_channel'))).toMatchObject({ code: 4429 })
  })

  it('answers invalid UTF-8 with 1007 and serves the others', async () => {
    await start()
    const a = await newParticipant(server.url)
    const witness = await peer(server.url, a.query('broadcast_channel'))
    const bad = await peer(server.url, a.query('broadcast_channel'))
    bad.send(Buffer.from([0x62, 0x3a, 0xff, 0xfe]), { binary: false })
    expect((await bad.closed).code).toBe(1007)
    const good = await peer(server.url, a.query('broadcast_channel'))
    good.send('broadcast_channel:{"ok":true}')
    await witness.receivedFrame('broadcast_channel:{"ok":true}')
  })

  it('cuts a reader too slow to keep up instead of buffering without bound', async () => {
    const cut: unknown[] = []
    server = await startServer({
      log: (_level, event, fields) => event === 'socket.slow_reader' && cut.push(fields?.participantId),
      limits: { maxBufferedBytes: 512 * 1024, framesPerSecond: 10_000, frameBurst: 10_000, participantFramesPerSecond: 10_000, participantBytesPerSecond: 1e9 },
    })
    const reader = await newParticipant(server.url)
    const writer = await newParticipant(server.url)
    const slow = await peer(server.url, reader.query('broadcast_channel'))
    // The slow reader stops reading from its TCP socket: once the kernel's buffers are full, frames
    // pile up on the server's side. 12 MB in all is well past both.
    ;(slow.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const chunk = JSON.stringify({ text: 'y'.repeat(30_000) })
    const sender = await peer(server.url, writer.query(`participant_${writer.id}_channel`))
    for (let i = 0; i < 400; i++) sender.send(`broadcast_channel:${chunk}`)
    await expect.poll(() => cut, { timeout: 20_000 }).toContain(reader.id)
    // The server goes on serving: a new socket gets a new message.
    const later = await peer(server.url, writer.query('broadcast_channel'))
    sender.send('broadcast_channel:{"after":true}')
    await later.receivedFrame('broadcast_channel:{"after":true}', 20_000)
  }, 60_000)
})

describe('host names (DNS rebinding)', () => {
  it('answers only loopback names and the configured hosts, on /chat and on every endpoint; others get 421 and nothing happens', async () => {
    await start({ allowedHosts: ['exp.example.org'] })
    const { request } = await import('node:http')
    const ask = (host: string, path = '/participant', method = 'POST') =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { host } }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        req.end()
      })
    // A page on evil.example whose name resolves to this server sends its own Host and a matching Origin.
    expect(await ask(`evil.example:${server.port}`)).toBe(421)
    expect(await ask(`evil.example:${server.port}`, '/status', 'GET')).toBe(421)
    expect(await ask(`exp.example.org`)).toBe(200)
    expect(await ask(`127.0.0.1:${server.port}`)).toBe(200)
    const { WebSocket } = await import('ws')
    const a = await newParticipant(server.url)
    const rebound = new WebSocket(`ws://127.0.0.1:${server.port}/chat?${new URLSearchParams(a.query('broadcast_channel'))}`, { headers: { host: `evil.example:${server.port}` }, origin: `http://evil.example:${server.port}` })
    const status = await new Promise<number>((resolve) => rebound.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    expect(status).toBe(421)
    // Clients that reset the connection while being refused do not take the server down.
    const { createConnection } = await import('node:net')
    for (let i = 0; i < 20; i++) {
      const rogue = createConnection(server.port, '127.0.0.1', () => {
        rogue.write(`GET /chat HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
        rogue.resetAndDestroy()
      })
      rogue.on('error', () => {})
    }
    // Only the two POSTs from allowed hosts and newParticipant created anyone.
    expect((await newParticipant(server.url)).id).toBe(String(Number(a.id) + 1))
    await peer(server.url, a.query('broadcast_channel'))
  })
})
