import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SendError } from '../src/errors.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, frames, nextSocket, params, reconnectSocket, record } from './helpers.js'

// docs/protocol.md, "Limits, heartbeat and refusals": a send the server will never publish fails,
// alone, and is never sent again and again.

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

async function greetedChannel(hello = frames.hello('1-0')) {
  const channel = fakeClient({ resume: true, minDelayMs: 100, maxDelayMs: 100 }).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  socket.receive(hello)
  return { channel, socket, ...log }
}

describe('a nack', () => {
  it('fails exactly that send with REJECTED, reports it, and the channel and the other sends go on', async () => {
    const { channel, socket, states, errors } = await greetedChannel()
    const allowed = channel.send({ n: 1 })
    const refused = channel.sendTo('experiment_channel', { type: 'roster' })
    const later = channel.send({ n: 3 })
    socket.receive(frames.nack(2, 4403, 'experiment-only message type'))
    expect(refused.status).toBe('failed')
    await expect(refused.settled).resolves.toBe('failed')
    expect(refused.error).toBeInstanceOf(SendError)
    expect(refused.error).toMatchObject({ code: 'REJECTED', closeCode: 4403, reason: 'experiment-only message type', frames: ['experiment_channel:{"type":"roster"}'] })
    expect(errors).toEqual([refused.error])
    socket.receive(frames.ack(3))
    expect([allowed.status, refused.status, later.status]).toEqual(['acknowledged', 'failed', 'acknowledged'])
    expect(channel.state).toBe('open')
    expect(states.map((s) => s.reason)).toEqual(['opened'])
  })

  it('keeps the numbers in step: a nacked frame between held ones is sent again after a reconnect, and fails only once', async () => {
    const { channel, socket, states, errors } = await greetedChannel()
    const receipts = [1, 2, 3].map((n) => channel.send({ n }))
    // Frame 2 is refused at once; the acks for 1 and 3 have not come when the socket drops.
    socket.receive(frames.nack(2, 4404, 'unknown channel'))
    socket.serverClose(1006)
    const next = await reconnectSocket(states)
    expect(params(next).sb_seq).toBe('1')
    next.open()
    next.receive(frames.hello('1-0'))
    // The server numbers this socket's frames 1, 2, 3 again: without frame 2, frame 3 would be numbered 2.
    expect(next.sent).toEqual(['c:{"n":1}', 'c:{"n":2}', 'c:{"n":3}'])
    next.receive(frames.nack(2, 4404, 'unknown channel'))
    next.receive(frames.ack(3))
    expect(receipts.map((r) => r.status)).toEqual(['acknowledged', 'failed', 'acknowledged'])
    expect(errors.map((e) => e.code)).toEqual(['REJECTED'])
  })

  it('drops a nacked frame for good once nothing before it is held', async () => {
    const { channel, socket, states } = await greetedChannel()
    channel.send({ n: 1 })
    channel.send({ n: 2 })
    socket.receive(frames.ack(1))
    socket.receive(frames.nack(2, 4403, 'no'))
    const held = channel.send({ n: 3 })
    socket.serverClose(1006)
    const next = await reconnectSocket(states)
    expect(params(next).sb_seq).toBe('3')
    next.open()
    next.receive(frames.hello('1-0'))
    expect(next.sent).toEqual(['c:{"n":3}'])
    next.receive(frames.ack(3))
    expect(held.status).toBe('acknowledged')
  })

  it('for a frame not held (already settled, or unknown) changes nothing', async () => {
    const { channel, socket, errors } = await greetedChannel()
    const receipt = channel.send({ n: 1 })
    socket.receive(frames.ack(1))
    socket.receive(frames.nack(1, 4403, 'late'))
    socket.receive(frames.nack(9, 4403, 'unknown'))
    socket.receive(':{"type":"nack","seq":1}')
    expect(receipt.status).toBe('acknowledged')
    expect(errors).toEqual([])
  })
})

describe('the frame limit of the hello', () => {
  const limited = frames.hello('1-0', { now: 1_795_306_221_240, maxFrameBytes: 40 })

  it('fails a send over maxFrameBytes (UTF-8 bytes) at once, without writing it', async () => {
    const { channel, socket, errors } = await greetedChannel(limited)
    // 'c:{"t":"…"}' is 10 bytes around the text: 30 ASCII characters fit, 10 "é" (20 bytes) fit, 16 do not.
    expect(channel.send({ t: 'x'.repeat(30) }).status).toBe('sent')
    expect(channel.send({ t: 'é'.repeat(15) }).status).toBe('sent')
    const large = channel.send({ t: 'é'.repeat(16) })
    expect(large.status).toBe('failed')
    expect(large.error).toMatchObject({ code: 'FRAME_TOO_LARGE', closeCode: 1009, frames: [`c:{"t":"${'é'.repeat(16)}"}`] })
    expect(errors).toEqual([large.error])
    expect(socket.sent).toHaveLength(2)
  })

  it('fails what waited for the hello when it is over the limit, and sends the rest', async () => {
    const channel = fakeClient({ resume: true }).openChannel('c')
    const { errors } = record(channel)
    const small = channel.send({ n: 1 })
    const large = channel.send({ t: 'x'.repeat(100) })
    const socket = await nextSocket()
    socket.open()
    socket.receive(limited)
    expect(socket.sent).toEqual(['c:{"n":1}'])
    expect([small.status, large.status]).toEqual(['sent', 'failed'])
    expect(errors.map((e) => e.code)).toEqual(['FRAME_TOO_LARGE'])
    socket.receive(frames.ack(1))
    expect(small.status).toBe('acknowledged')
  })

  it('is no limit when the hello leaves it out', async () => {
    const { channel } = await greetedChannel(frames.hello('1-0'))
    expect(channel.send({ t: 'x'.repeat(200_000) }).status).toBe('sent')
  })
})

describe('a close for a frame too large (1009)', () => {
  it('fails the frame it closed at the second time in a row instead of sending it after every reconnect', async () => {
    const { channel, socket, states, errors } = await greetedChannel()
    const before = channel.send({ n: 1 })
    const large = channel.send({ t: 'x'.repeat(1000) })
    const after = channel.send({ n: 3 })
    socket.serverClose(1009, 'frame too large')
    expect(large.status).toBe('sent')
    const second = await reconnectSocket(states)
    second.open()
    second.receive(frames.hello('1-0'))
    expect(second.sent).toHaveLength(3)
    // The server stored frame 1 and closed at frame 2, again; it never read frame 3.
    second.receive(frames.ack(1))
    second.serverClose(1009, 'frame too large')
    expect(large.status).toBe('failed')
    expect(large.error).toMatchObject({ code: 'FRAME_TOO_LARGE', closeCode: 1009, reason: 'frame too large', frames: [`c:{"t":"${'x'.repeat(1000)}"}`] })
    expect(errors).toEqual([large.error])
    const third = await reconnectSocket(states)
    // Frame 3 takes number 2, which the server never used: it closed the socket there every time.
    expect(params(third).sb_seq).toBe('2')
    third.open()
    third.receive(frames.hello('1-0'))
    expect(third.sent).toEqual(['c:{"n":3}'])
    third.receive(frames.ack(2))
    expect([before.status, after.status]).toEqual(['acknowledged', 'acknowledged'])
    expect(channel.send({ n: 4 }).status).toBe('sent')
    third.receive(frames.ack(3))
    expect(channel.state).toBe('open')
  })

  it('once is not enough, and a plain socket sends nothing again', async () => {
    const { channel, socket, states, errors } = await greetedChannel()
    const large = channel.send({ t: 'x'.repeat(1000) })
    socket.serverClose(1009)
    const next = await reconnectSocket(states)
    next.open()
    next.receive(frames.hello('1-0'))
    next.receive(frames.ack(1))
    expect(large.status).toBe('acknowledged')
    expect(errors).toEqual([])

    const plain = fakeClient({ resume: false }).openChannel('p')
    const plainSocket = await nextSocket()
    plainSocket.open()
    expect(plain.send({ t: 'x'.repeat(1000) }).status).toBe('sent')
    plainSocket.serverClose(1009)
    expect(plain.state).toBe('reconnecting')
  })
})
