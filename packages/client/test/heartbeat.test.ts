import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, frames, nextSocket, params, pings, reconnectSocket, record } from './helpers.js'

// The heartbeat of the resume extension (docs/protocol.md, "Limits, heartbeat and refusals"), with
// the default interval (10 s) and timeout (25 s).

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

async function greeted(options = {}) {
  const channel = fakeClient({ resume: true, minDelayMs: 100, maxDelayMs: 100, ...options }).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  socket.receive(frames.hello('1-0'))
  return { channel, socket, ...log }
}

describe('heartbeat', () => {
  it('pings after 10 s without a frame, and keeps the pong’s round trip and server time', async () => {
    const { channel, socket } = await greeted()
    await vi.advanceTimersByTimeAsync(9999)
    expect(socket.sent).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(socket.sent).toEqual([':{"type":"ping","id":1}'])
    expect(channel.lastPong).toBeUndefined()
    await vi.advanceTimersByTimeAsync(42)
    socket.receive(frames.pong(1, 1_795_306_221_240))
    expect(channel.lastPong).toEqual({ rttMs: 42, serverTime: 1_795_306_221_240, receivedAt: Date.now() })
    // The pong is life too: the next ping comes 10 s after it.
    await vi.advanceTimersByTimeAsync(9999)
    expect(pings(socket)).toEqual([1])
    await vi.advanceTimersByTimeAsync(1)
    expect(pings(socket)).toEqual([1, 2])
    expect(channel.state).toBe('open')
  })

  it('never pings a busy channel: any frame counts as life', async () => {
    const { channel, socket } = await greeted()
    for (let n = 2; n < 30; n++) {
      await vi.advanceTimersByTimeAsync(9000)
      socket.receive(`${n}-0 c:{"n":${n}}`)
    }
    expect(socket.sent).toEqual([])
    expect(channel.state).toBe('open')
  })

  it('an ack is life as well: a channel that only sends never pings', async () => {
    const { channel, socket } = await greeted()
    for (let n = 1; n < 10; n++) {
      await vi.advanceTimersByTimeAsync(9000)
      channel.send({ n })
      socket.receive(frames.ack(n))
    }
    expect(pings(socket)).toEqual([])
  })

  it('drops a socket that hears nothing for 25 s (reason silent), and resumes through the backoff', async () => {
    const { channel, socket, states } = await greeted()
    socket.receive('1-5 c:{"n":1}')
    const unacknowledged = channel.send({ n: 2 })
    await vi.advanceTimersByTimeAsync(24_999)
    expect(channel.state).toBe('open')
    expect(pings(socket)).toEqual([1])
    await vi.advanceTimersByTimeAsync(1)
    expect(channel.state).toBe('reconnecting')
    expect(socket.readyState).toBe(3)
    expect(states.at(-1)).toEqual({ prev: 'open', next: 'reconnecting', reason: 'silent', attempt: 1, delayMs: 100, close: { code: 1000, reason: 'silent' } })
    const next = await reconnectSocket(states)
    expect(params(next)).toMatchObject({ sb: '1', sb_since: '1-5', sb_seq: '1', sb_session: params(socket).sb_session })
    next.open()
    next.receive(frames.hello('1-5'))
    expect(next.sent).toEqual(['c:{"n":2}'])
    next.receive(frames.ack(1))
    expect(unacknowledged.status).toBe('acknowledged')
    expect(states.map((s) => s.reason)).toEqual(['opened', 'silent', 'opened'])
  })

  it('stops when the channel leaves open: nothing more on a dropped or closed socket', async () => {
    const { channel, socket, states } = await greeted()
    socket.serverClose(1006)
    const next = await reconnectSocket(states)
    next.open()
    next.receive(frames.hello('1-0'))
    channel.close()
    await vi.advanceTimersByTimeAsync(120_000)
    expect([socket.sent, next.sent]).toEqual([[], []])
    expect(states.map((s) => s.reason)).toEqual(['opened', 'lost', 'opened', 'closed'])
  })

  it('pings every interval on a quiet channel that answers, and notices 25 s after the last answer', async () => {
    const { channel, socket, states } = await greeted()
    for (let id = 1; id <= 3; id++) {
      await vi.advanceTimersByTimeAsync(10_000)
      expect(pings(socket)).toHaveLength(id)
      socket.receive(frames.pong(id, Date.now()))
    }
    const lastAnswer = Date.now()
    await vi.advanceTimersByTimeAsync(24_999)
    expect(channel.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(Date.now() - lastAnswer).toBe(25_000)
    expect(states.at(-1)?.reason).toBe('silent')
  })

  it('gives a ping that went out late its full time, as a background tab’s delayed timer would send it', async () => {
    const { channel, socket } = await greeted()
    // The browser ran the 10 s timer a minute late: the clock has moved on, the timer had not.
    vi.setSystemTime(Date.now() + 60_000)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(channel.state).toBe('open')
    expect(pings(socket)).toEqual([1])
    await vi.advanceTimersByTimeAsync(14_999)
    expect(channel.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(channel.state).toBe('reconnecting')
  })

  it('is never sent on a plain socket: Dallinger would relay it to everyone', async () => {
    const plain = fakeClient({ resume: false }).openChannel('p')
    const socket = await nextSocket()
    socket.open()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(socket.sent).toEqual([])
    expect(plain.state).toBe('open')
  })

  it('is not sent on a socket that went on without hello, and starts with a hello that comes late', async () => {
    const channel = fakeClient({ resume: true }).openChannel('c')
    const socket = await nextSocket()
    socket.open()
    await vi.advanceTimersByTimeAsync(1500 + 120_000)
    expect(socket.sent).toEqual([])
    expect(channel.state).toBe('open')
    socket.receive(frames.hello('0-0'))
    await vi.advanceTimersByTimeAsync(10_000)
    expect(pings(socket)).toEqual([1])
  })

  it('follows heartbeatIntervalMs and heartbeatTimeoutMs, and is off with an interval of 0', async () => {
    const { channel, socket, states } = await greeted({ heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 3000 })
    await vi.advanceTimersByTimeAsync(1000)
    expect(pings(socket)).toEqual([1])
    await vi.advanceTimersByTimeAsync(2000)
    expect(states.at(-1)?.reason).toBe('silent')
    channel.close()

    const off = await greeted({ heartbeatIntervalMs: 0 })
    await vi.advanceTimersByTimeAsync(600_000)
    expect(off.socket.sent).toEqual([])
    expect(off.channel.state).toBe('open')
  })

  it('ignores a pong for another ping, and a malformed one', async () => {
    const { channel, socket, errors } = await greeted()
    await vi.advanceTimersByTimeAsync(10_000)
    socket.receive(frames.pong(7, 5))
    socket.receive(':{"type":"pong","id":1}')
    expect(channel.lastPong).toBeUndefined()
    expect(errors).toEqual([])
  })
})
