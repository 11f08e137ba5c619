import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, frames, nextSocket, params, reconnectSocket, record } from './helpers.js'

// docs/protocol.md, "What the client does", point 2: a channel whose server has said hello asks, and
// waits for hello, on every connection; only one whose server never has stops after its first silence.

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

async function greetedChannel() {
  const channel = fakeClient({ resume: true, minDelayMs: 100, maxDelayMs: 100 }).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  socket.receive(frames.hello('1-0'))
  return { channel, socket, ...log }
}

describe('a channel whose server has said hello', () => {
  it('asks again and waits for hello on every reconnect, though a hello came late or not at all', async () => {
    const { channel, socket, states } = await greetedChannel()
    socket.serverClose(1006)
    const slow = await reconnectSocket(states)
    expect(params(slow).sb).toBe('1')
    slow.open()
    await vi.advanceTimersByTimeAsync(1499)
    expect(channel.state).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(channel.state).toBe('open')
    slow.serverClose(1006)
    const again = await reconnectSocket(states)
    expect(params(again).sb).toBe('1')
    again.open()
    expect(channel.state).toBe('reconnecting')
    again.receive(frames.hello('1-0'))
    expect(channel.state).toBe('open')
    expect(states.map((s) => s.reason)).toEqual(['opened', 'lost', 'opened', 'lost', 'opened'])
  })

  it('holds what a socket without hello carried, numbered as the server numbers it, and settles it on a late hello without sending it twice', async () => {
    const { channel, socket, states } = await greetedChannel()
    const first = channel.send({ n: 1 })
    socket.serverClose(1006)
    const slow = await reconnectSocket(states)
    expect(params(slow).sb_seq).toBe('1')
    slow.open()
    await vi.advanceTimersByTimeAsync(1500)
    // Written to a socket that asked with sb_seq=1: the server, slow as it is, numbers them 1 and 2.
    const second = channel.send({ n: 2 })
    expect(slow.sent).toEqual(['c:{"n":1}', 'c:{"n":2}'])
    expect([first.status, second.status]).toEqual(['sent', 'sent'])
    slow.receive(frames.hello('1-0'))
    expect(slow.sent).toEqual(['c:{"n":1}', 'c:{"n":2}'])
    slow.receive(frames.ack(2))
    expect([first.status, second.status]).toEqual(['acknowledged', 'acknowledged'])
  })

  it('sends what a socket without hello carried again, under the same numbers, when that socket drops', async () => {
    const { channel, socket, states, errors } = await greetedChannel()
    socket.serverClose(1006)
    const slow = await reconnectSocket(states)
    slow.open()
    await vi.advanceTimersByTimeAsync(1500)
    const receipt = channel.send({ n: 1 })
    slow.serverClose(1006)
    const next = await reconnectSocket(states)
    expect(params(next)).toMatchObject({ sb: '1', sb_seq: '1', sb_session: params(socket).sb_session })
    next.open()
    next.receive(frames.hello('1-0'))
    expect(next.sent).toEqual(['c:{"n":1}'])
    next.receive(frames.ack(1))
    expect(receipt.status).toBe('acknowledged')
    expect(errors).toEqual([])
  })
})

describe('a channel whose server has never said hello', () => {
  it('asks again once a late hello came, and what it wrote before that hello was final', async () => {
    const channel = fakeClient({ resume: true, minDelayMs: 100, maxDelayMs: 100 }).openChannel('c')
    const { states } = record(channel)
    const socket = await nextSocket()
    socket.open()
    await vi.advanceTimersByTimeAsync(1500)
    const before = channel.send({ n: 1 })
    await expect(before.settled).resolves.toBe('sent')
    socket.receive(frames.hello('0-0'))
    const after = channel.send({ n: 2 })
    socket.serverClose(1006)
    const next = await reconnectSocket(states)
    // Frame 1 was numbered too, as the server numbered it: the next socket starts at 2.
    expect(params(next)).toMatchObject({ sb: '1', sb_seq: '2' })
    next.open()
    next.receive(frames.hello('0-0'))
    expect(next.sent).toEqual(['c:{"n":2}'])
    next.receive(frames.ack(2))
    expect(after.status).toBe('acknowledged')
  })
})
