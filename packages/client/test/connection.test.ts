import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { backoffDelay } from '../src/backoff.js'
import { ConnectionError, ListenerError } from '../src/errors.js'
import { defaultShouldReconnect } from '../src/options.js'
import type { LifecycleTarget } from '../src/options.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, nextSocket, reconnectSocket, record } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A deterministic PRNG (mulberry32), so spread figures are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function openOne(options = {}) {
  const channel = fakeClient(options).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  return { channel, socket, ...log }
}

describe('backoff', () => {
  const range = { minDelayMs: 1000, maxDelayMs: 30_000 }

  it('stays within [min, min(max, min·2^attempt)] for every attempt', () => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      const ceiling = Math.min(30_000, 1000 * 2 ** attempt)
      expect(backoffDelay(attempt, range, () => 0)).toBe(1000)
      expect(backoffDelay(attempt, range, () => 0.999999)).toBeLessThanOrEqual(ceiling)
      expect(backoffDelay(attempt, range, () => 0.999999)).toBeGreaterThan(ceiling - 1)
    }
  })

  it('draws a new delay for each attempt', () => {
    const random = seeded(1)
    const delays = Array.from({ length: 10 }, () => backoffDelay(3, range, random))
    expect(new Set(delays).size).toBe(10)
  })

  it('spreads 1000 clients dropped together over the first window', () => {
    const random = seeded(42)
    const delays = Array.from({ length: 1000 }, () => backoffDelay(1, range, random))
    const windows = new Map<number, number>()
    for (const delay of delays) windows.set(Math.floor(delay / 100), (windows.get(Math.floor(delay / 100)) ?? 0) + 1)
    // Uniform over [1000, 2000] ms: about 100 per 100 ms window, nowhere near all 1000 at once.
    expect(Math.max(...windows.values())).toBeLessThan(140)
    expect(windows.size).toBeGreaterThanOrEqual(10)
  })

  it('reconnects channels dropped at the same moment at different times', async () => {
    const created: number[] = []
    const channels = Array.from({ length: 40 }, (_, i) => fakeClient().openChannel(`c${i}`))
    await vi.advanceTimersByTimeAsync(0)
    for (const socket of FakeWebSocket.instances) socket.open()
    const first = [...FakeWebSocket.instances]
    FakeWebSocket.reset()
    const start = Date.now()
    for (const socket of first) socket.serverClose(1012, 'service restart')
    for (let t = 0; t < 2100; t += 10) {
      const before = FakeWebSocket.instances.length
      await vi.advanceTimersByTimeAsync(10)
      for (let k = before; k < FakeWebSocket.instances.length; k++) created.push(Date.now() - start)
    }
    expect(created).toHaveLength(40)
    expect(Math.min(...created)).toBeGreaterThanOrEqual(1000)
    expect(Math.max(...created) - Math.min(...created)).toBeGreaterThan(500)
    for (const channel of channels) channel.close()
  })
})

describe('connect timeout', () => {
  it('abandons an attempt that does not open in time and retries', async () => {
    const channel = fakeClient({ connectTimeoutMs: 2000 }).openChannel('c')
    const { states } = record(channel)
    const stuck = await nextSocket()
    await vi.advanceTimersByTimeAsync(1999)
    expect(channel.state).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(stuck.readyState).toBe(3)
    expect(states.at(-1)).toMatchObject({ next: 'reconnecting', reason: 'timeout', attempt: 1 })
    const retry = await reconnectSocket(states)
    retry.open()
    expect(channel.state).toBe('open')
  })
})

describe('which closes reconnect', () => {
  it.each([1002, 1003, 1007, 1010, 1015, 4400, 4401, 4403, 4499])('stops on %i', async (code) => {
    const { channel, socket, errors } = await openOne()
    socket.serverClose(code, 'no')
    expect(channel.state).toBe('closed')
    expect(errors).toEqual([expect.any(ConnectionError)])
  })

  it.each([1000, 1001, 1005, 1006, 1008, 1009, 1011, 1012, 1013, 4000, 4399, 4500])('reconnects on %i', async (code) => {
    const { channel, socket } = await openOne()
    socket.serverClose(code)
    expect(channel.state).toBe('reconnecting')
    expect(defaultShouldReconnect({ code, reason: '' })).toBe(true)
  })

  it('asks a custom shouldReconnect, and reconnects when it throws', async () => {
    const decide = vi.fn((close: { code: number }) => close.code !== 1000)
    const { channel, socket, errors, states } = await openOne({ shouldReconnect: decide })
    socket.serverClose(1006)
    expect(channel.state).toBe('reconnecting')
    const again = await reconnectSocket(states)
    again.open()
    again.serverClose(1000)
    expect(channel.state).toBe('closed')
    expect(decide).toHaveBeenCalledTimes(2)

    const { channel: other, socket: otherSocket, errors: otherErrors } = await openOne({
      shouldReconnect: () => {
        throw new Error('bug')
      },
    })
    otherSocket.serverClose(4403)
    expect(other.state).toBe('reconnecting')
    expect(otherErrors).toEqual([expect.any(ListenerError)])
    expect(errors).toEqual([expect.any(ConnectionError)])
  })

  it('gives up after maxAttempts failures in a row and rejects ready()', async () => {
    const channel = fakeClient({ maxAttempts: 2 }).openChannel('c')
    const { states, errors } = record(channel)
    const ready = channel.ready()
    ;(await nextSocket()).serverClose(1006)
    ;(await reconnectSocket(states)).serverClose(1006)
    expect(channel.state).toBe('reconnecting')
    ;(await reconnectSocket(states)).serverClose(1006)
    expect(channel.state).toBe('closed')
    expect(states.at(-1)).toMatchObject({ reason: 'gave-up', attempt: 2 })
    expect(errors).toEqual([expect.objectContaining({ code: 'CONNECTION_GAVE_UP', closeCode: 1006 })])
    await expect(ready).rejects.toMatchObject({ code: 'CONNECTION_GAVE_UP' })
  })
})

describe('outbox', () => {
  it('refuses and reports a send past the limit, keeping the ones it holds', async () => {
    const channel = fakeClient({ outboxLimit: 2 }).openChannel('c')
    const { errors } = record(channel)
    expect([channel.send({ n: 1 }), channel.send({ n: 2 }), channel.send({ n: 3 })].map((r) => r.status)).toEqual(['queued', 'queued', 'failed'])
    expect(errors).toEqual([expect.objectContaining({ code: 'OUTBOX_FULL', frames: ['c:{"n":3}'] })])
    const socket = await nextSocket()
    socket.open()
    expect(socket.sent).toEqual(['c:{"n":1}', 'c:{"n":2}'])
  })

  it('flushes after the open handlers ran, in the order of send() calls', async () => {
    const channel = fakeClient().openChannel('c')
    channel.onStateChange(({ next }) => {
      if (next === 'open') channel.send({ hello: true })
    })
    channel.send({ n: 1 })
    channel.send({ n: 2 })
    const socket = await nextSocket()
    socket.open()
    expect(socket.sent).toEqual(['c:{"n":1}', 'c:{"n":2}', 'c:{"hello":true}'])
    expect(channel.send({ n: 3 }).status).toBe('sent')
  })

  it('keeps the order when the socket drops in the middle of a flush', async () => {
    const channel = fakeClient().openChannel('c')
    const { states } = record(channel)
    channel.send({ n: 1 })
    channel.send({ n: 2 })
    const socket = await nextSocket()
    const send = socket.send.bind(socket)
    socket.send = (data: string) => {
      send(data)
      socket.readyState = 3
    }
    socket.open()
    socket.serverClose(1006)
    const again = await nextSocket(states.at(-1)?.delayMs)
    again.open()
    expect([...socket.sent, ...again.sent]).toEqual(['c:{"n":1}', 'c:{"n":2}'])
  })
})

describe('page lifecycle', () => {
  function fakePage(onLine = true) {
    const target = new EventTarget() as EventTarget & LifecycleTarget
    target.navigator = { onLine }
    const fire = (type: string, persisted?: boolean) => target.dispatchEvent(Object.assign(new Event(type), persisted === undefined ? {} : { persisted }))
    return { target, fire }
  }

  it('reconnects at once when the browser comes back online', async () => {
    const page = fakePage()
    const { channel, socket, states } = await openOne({ lifecycle: page.target, minDelayMs: 10_000, maxDelayMs: 60_000 })
    socket.serverClose(1006)
    const count = FakeWebSocket.instances.length
    page.fire('online')
    expect(states.at(-1)).toMatchObject({ next: 'reconnecting', reason: 'online', delayMs: 0 })
    const again = await nextSocket(0)
    expect(FakeWebSocket.instances.length).toBe(count + 1)
    again.open()
    expect(channel.state).toBe('open')
  })

  it('makes no attempt while offline', async () => {
    const page = fakePage()
    const { socket, states } = await openOne({ lifecycle: page.target })
    page.target.navigator = { onLine: false }
    socket.serverClose(1006)
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(states.at(-1)).toMatchObject({ next: 'reconnecting', reason: 'offline' })
    page.target.navigator = { onLine: true }
    page.fire('online')
    await nextSocket(0)
  })

  it('releases the socket on pagehide into the back/forward cache and reconnects on pageshow', async () => {
    const page = fakePage()
    const { channel, socket, states } = await openOne({ lifecycle: page.target })
    page.fire('pagehide', false)
    expect(socket.readyState).toBe(1)
    page.fire('pagehide', true)
    expect(socket.readyState).toBe(3)
    expect(states.at(-1)).toMatchObject({ next: 'reconnecting', reason: 'suspended' })
    expect(channel.send({ n: 1 }).status).toBe('queued')
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    page.fire('pageshow', true)
    expect(states.at(-1)).toMatchObject({ next: 'reconnecting', reason: 'resumed' })
    const again = await nextSocket(0)
    again.open()
    expect(again.sent).toEqual(['c:{"n":1}'])
    expect(channel.state).toBe('open')
  })

  it('stops listening to the page once closed', async () => {
    const page = fakePage()
    const { channel } = await openOne({ lifecycle: page.target })
    channel.close()
    page.fire('pageshow', true)
    page.fire('online')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })
})

describe('listeners and logging', () => {
  it('a throwing state listener is reported and the connection carries on', async () => {
    const channel = fakeClient().openChannel('c')
    const { errors } = record(channel)
    channel.onStateChange(() => {
      throw new Error('page bug')
    })
    const socket = await nextSocket()
    socket.open()
    socket.receive('c:{"type":"x"}')
    expect(channel.state).toBe('open')
    expect(errors).toEqual([expect.any(ListenerError)])
    expect(channel.send({ ok: 1 }).status).toBe('sent')
  })

  it('logs debug lines only when asked to', async () => {
    const quiet = { debug: vi.fn(), warn: vi.fn() }
    fakeClient({ logger: quiet }).openChannel('a')
    ;(await nextSocket()).open()
    expect(quiet.debug).not.toHaveBeenCalled()
    const chatty = { debug: vi.fn(), warn: vi.fn() }
    fakeClient({ logger: chatty, debug: true }).openChannel('b')
    ;(await nextSocket()).open()
    expect(chatty.debug).toHaveBeenCalledWith('[switchboard]', 'connecting → open', 'opened')
  })
})
