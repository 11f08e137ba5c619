import { afterEach, describe, expect, it } from 'vitest'
import { silentLog, startServer } from '../src/index.js'
import type { ServerOptions, Server } from '../src/index.js'
import { newParticipant, peer } from './ws-peer.js'

let server: Server
afterEach(async () => {
  await server.close()
})
const start = async (options: ServerOptions = {}) => {
  server = await startServer({ log: silentLog, ...options })
  return server
}
const resuming = (query: Record<string, string>, name = 'limits-session') => ({ ...query, sb: '1', sb_session: name, sb_seq: '1' })

describe('heartbeat', () => {
  it('answers a resuming client’s ping at once with its id and the server’s clock; ignores unknown extension frames', async () => {
    await start()
    const a = await newParticipant(server.url)
    const socket = await peer(server.url, resuming(a.query('broadcast_channel')))
    await socket.received(1)
    const before = Date.now()
    socket.send(':{"type":"what","id":1}')
    socket.send(':{"type":"ping","id":7}')
    const [, pong] = await socket.received(2)
    const { type, id, now } = JSON.parse((pong ?? '').slice(1)) as { type: string; id: number; now: number }
    expect({ type, id }).toEqual({ type: 'pong', id: 7 })
    expect(now).toBeGreaterThanOrEqual(before - 5)
    expect(now).toBeLessThanOrEqual(Date.now() + 5)
  })

  it('takes ":…" on a plain socket for a publish to the channel "", as Dallinger does, and refuses it (4404)', async () => {
    await start()
    const a = await newParticipant(server.url)
    const plain = await peer(server.url, a.query('broadcast_channel'))
    plain.send(':{"type":"ping","id":1}')
    expect(await plain.closed).toMatchObject({ code: 4404 })
  })
})

describe('refused frames on a resuming socket', () => {
  it('nacks a frame over the size limit and one it may not publish, keeps the socket, and acknowledges the frames after them', async () => {
    await start({ limits: { maxFrameBytes: 1024 } })
    const a = await newParticipant(server.url)
    const witness = await peer(server.url, a.query('broadcast_channel'))
    const socket = await peer(server.url, resuming(a.query(`participant_${a.id}_channel`)))
    await socket.received(1)
    socket.send(`broadcast_channel:${JSON.stringify({ text: 'x'.repeat(2000) })}`)
    socket.send('participant_99_channel:{"text":"not mine"}')
    socket.send('broadcast_channel:{"text":"after"}')
    await witness.receivedFrame('broadcast_channel:{"text":"after"}')
    await socket.received(4)
    expect(socket.frames.slice(1)).toEqual([
      ':{"type":"nack","seq":1,"code":1009,"reason":"frame over 1024 bytes"}',
      ':{"type":"nack","seq":2,"code":4403,"reason":"only participant 99 may write to participant_99_channel"}',
      ':{"type":"ack","seq":3}',
    ])
    expect(witness.frames).toEqual(['broadcast_channel:{"text":"after"}'])
    // A plain socket is closed for the same frame, as before.
    const plain = await peer(server.url, a.query('broadcast_channel'))
    plain.send(`broadcast_channel:${JSON.stringify({ text: 'x'.repeat(2000) })}`)
    expect(await plain.closed).toMatchObject({ code: 1009 })
  })
})

describe('a refused frame sent again', () => {
  it('is dropped as a duplicate on a later socket, never published after its receipt failed', async () => {
    await start()
    const a = await newParticipant(server.url)
    const witness = await peer(server.url, a.query('broadcast_channel'))
    const first = await peer(server.url, resuming(a.query(`participant_${a.id}_channel`), 'again-session'))
    await first.received(1)
    first.send('room_9:{"text":"too early"}')
    await first.receivedFrame(':{"type":"nack","seq":1,"code":4404,"reason":"no channel room_9"}')
    first.ws.close()
    // The room exists now, and the same frame comes again under the same number, as a client would re-send it.
    await server.rooms.set('room_9', [a.id])
    const member = await peer(server.url, a.query('room_9'))
    const second = await peer(server.url, resuming(a.query(`participant_${a.id}_channel`), 'again-session'))
    await second.received(1)
    second.send('room_9:{"text":"too early"}')
    second.send('broadcast_channel:{"text":"next"}')
    await witness.receivedFrame('broadcast_channel:{"text":"next"}')
    expect(member.frames).toEqual([])
  })
})

describe('rate limit', () => {
  it('drains a burst far past the limit in order, without closing the socket, while a bystander is served', async () => {
    await start({ limits: { framesPerSecond: 100, frameBurst: 20 } })
    const a = await newParticipant(server.url)
    const b = await newParticipant(server.url)
    const listener = await peer(server.url, b.query('broadcast_channel'))
    const flood = await peer(server.url, a.query(`participant_${a.id}_channel`))
    const bystander = await peer(server.url, b.query(`participant_${b.id}_channel`))
    const sent = Array.from({ length: 150 }, (_, n) => `broadcast_channel:{"n":${n}}`)
    for (const frame of sent) flood.send(frame)
    bystander.send('broadcast_channel:{"from":"bystander"}')
    await listener.receivedFrame('broadcast_channel:{"from":"bystander"}', 10_000)
    await listener.received(151, 10_000)
    expect(listener.frames.filter((f) => f.includes('"n"'))).toEqual(sent)
    expect(flood.ws.readyState).toBe(flood.ws.OPEN)
  })

  it('closes a socket that stays over the rate for longer than maxThrottledMs with 1008', async () => {
    await start({ limits: { framesPerSecond: 5, frameBurst: 10, maxThrottledMs: 500 } })
    const a = await newParticipant(server.url)
    const flood = await peer(server.url, a.query('broadcast_channel'))
    for (let i = 0; i < 30; i++) flood.send(`broadcast_channel:{"n":${i}}`)
    expect(await flood.closed).toEqual({ code: 1008, reason: 'rate limit exceeded' })
    // The burst and what the rate allowed in half a second went through; the rest never did.
    expect(flood.frames.length).toBeGreaterThanOrEqual(10)
    expect(flood.frames.length).toBeLessThanOrEqual(14)
  })
})

describe('fairness between participants', () => {
  it('holds one participant’s many sockets to one shared budget, so a bystander keeps sub-second round trips and loses nothing', async () => {
    await start()
    const attacker = await newParticipant(server.url)
    const bystander = await newParticipant(server.url)
    const listener = await peer(server.url, bystander.query('broadcast_channel'))
    const mine = await peer(server.url, bystander.query(`participant_${bystander.id}_channel`))
    // Ten sockets, each inside its own rate, each sending 60 KB frames to everyone.
    const big = JSON.stringify({ text: 'y'.repeat(60_000) })
    const floods = await Promise.all(Array.from({ length: 10 }, () => peer(server.url, attacker.query(`participant_${attacker.id}_channel`))))
    const started = Date.now()
    for (const flood of floods) for (let i = 0; i < 20; i++) flood.send(`broadcast_channel:${big}`)
    const trips: number[] = []
    for (let n = 0; n < 10; n++) {
      const frame = `broadcast_channel:{"from":"bystander","n":${n}}`
      const sentAt = Date.now()
      mine.send(frame)
      await listener.receivedFrame(frame, 5000)
      trips.push(Date.now() - sentAt)
    }
    expect(Math.max(...trips)).toBeLessThan(1000)
    const elapsedS = (Date.now() - started) / 1000
    const relayed = listener.frames.filter((f) => f.length > 50_000).length * big.length
    // Burst (4 s worth) plus the rate for the time it ran, with a frame of slack.
    expect(relayed).toBeLessThanOrEqual(256 * 1024 * (4 + elapsedS) + big.length)
    for (const flood of floods) expect(flood.ws.readyState).toBe(flood.ws.OPEN)
  }, 30_000)
})
