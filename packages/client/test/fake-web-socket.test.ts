import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/client.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { quietLogger } from './helpers.js'

afterEach(() => {
  vi.useRealTimers()
  FakeWebSocket.reset()
})

const options = { url: 'ws://test/chat', WebSocket: FakeWebSocket, logger: quietLogger, resume: false, minDelayMs: 100, maxDelayMs: 100 }

describe('FakeWebSocket.next', () => {
  it('hands out each socket once, in the order they were made, before or after the call', async () => {
    vi.useFakeTimers()
    const sb = createClient(options)
    const waiting = FakeWebSocket.next()
    sb.openChannel('a')
    sb.openChannel('b')
    await vi.advanceTimersByTimeAsync(0)
    // The first was asked for before it existed; the second was made before it was asked for.
    expect(new URL((await waiting).url).searchParams.get('channel')).toBe('a')
    expect(new URL((await FakeWebSocket.next()).url).searchParams.get('channel')).toBe('b')
    sb.close()
  })

  it('gives the reconnect attempt’s socket after a drop', async () => {
    vi.useFakeTimers()
    const channel = createClient(options).openChannel('c')
    await vi.advanceTimersByTimeAsync(0)
    const first = await FakeWebSocket.next()
    first.open()
    first.serverClose(1006)
    await vi.advanceTimersByTimeAsync(101)
    const second = await FakeWebSocket.next()
    expect(second).not.toBe(first)
    second.open()
    expect(channel.state).toBe('open')
    channel.close()
  })

  it('plays a Switchboard server too: the hello opens the channel, and sends are acknowledged', async () => {
    vi.useFakeTimers()
    const channel = createClient({ ...options, resume: true }).openChannel('c')
    await vi.advanceTimersByTimeAsync(0)
    const socket = await FakeWebSocket.next()
    socket.open()
    expect(channel.state).toBe('connecting')
    socket.receive(':{"type":"hello","v":1,"last":"0-0"}')
    expect(channel.state).toBe('open')
    const receipt = channel.send({ type: 'chat', text: 'hi' })
    socket.receive(':{"type":"ack","seq":1}')
    await expect(receipt.settled).resolves.toBe('acknowledged')
    channel.close()
  })

  it('forgets unclaimed sockets on reset()', async () => {
    vi.useFakeTimers()
    const sb = createClient(options)
    sb.openChannel('old')
    await vi.advanceTimersByTimeAsync(0)
    FakeWebSocket.reset()
    sb.openChannel('new')
    await vi.advanceTimersByTimeAsync(0)
    expect(new URL((await FakeWebSocket.next()).url).searchParams.get('channel')).toBe('new')
    sb.close()
  })
})

describe('FakeWebSocket.latest', () => {
  it('says to await next() when no socket was made yet', () => {
    vi.useFakeTimers()
    createClient(options).openChannel('c')
    expect(() => FakeWebSocket.latest()).toThrow(/await FakeWebSocket\.next\(\)/)
  })
})
