import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnectionError } from '../src/errors.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, fakePage, nextSocket, reconnectSocket, record } from './helpers.js'

// The transport's phases seen from outside: each case pins what a refactor of its state must keep,
// down to the exact sequence of state changes. Delays are fixed (min = max) so the sequences are exact.

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

const hello = (last: string) => `:{"type":"hello","v":1,"last":"${last}"}`
const ack = (seq: number) => `:{"type":"ack","seq":${seq}}`
const params = (socket: FakeWebSocket) => Object.fromEntries(new URL(socket.url).searchParams)
const fixed = { minDelayMs: 100, maxDelayMs: 100 }

describe('state changes', () => {
  it('emits this exact sequence through drops, offline, a timeout, the back/forward cache and a refusal', async () => {
    const page = fakePage()
    const channel = fakeClient({ ...fixed, lifecycle: page.target }).openChannel('c')
    const { states, errors } = record(channel)
    const first = await nextSocket()
    first.open()
    first.serverClose(1006, 'net')
    page.target.navigator = { onLine: false }
    await vi.advanceTimersByTimeAsync(200)
    expect(FakeWebSocket.instances).toHaveLength(1)
    page.target.navigator = { onLine: true }
    page.fire('online')
    await nextSocket(0)
    await vi.advanceTimersByTimeAsync(4000)
    ;(await reconnectSocket(states)).open()
    page.fire('pagehide', true)
    page.fire('pageshow', true)
    const last = await nextSocket(0)
    last.open()
    last.serverClose(4403, 'go')
    const error = errors[0]
    expect(error).toBeInstanceOf(ConnectionError)
    expect(errors).toHaveLength(1)
    expect(states).toEqual([
      { prev: 'connecting', next: 'open', reason: 'opened', attempt: 0 },
      { prev: 'open', next: 'reconnecting', reason: 'lost', attempt: 1, delayMs: 100, close: { code: 1006, reason: 'net' } },
      { prev: 'reconnecting', next: 'reconnecting', reason: 'offline', attempt: 1 },
      { prev: 'reconnecting', next: 'reconnecting', reason: 'online', attempt: 1, delayMs: 0 },
      { prev: 'reconnecting', next: 'reconnecting', reason: 'timeout', attempt: 2, delayMs: 100, close: { code: 1000, reason: '' } },
      { prev: 'reconnecting', next: 'open', reason: 'opened', attempt: 0 },
      { prev: 'open', next: 'reconnecting', reason: 'suspended', attempt: 0 },
      { prev: 'reconnecting', next: 'reconnecting', reason: 'resumed', attempt: 0, delayMs: 0 },
      { prev: 'reconnecting', next: 'open', reason: 'opened', attempt: 0 },
      { prev: 'open', next: 'closed', reason: 'refused', attempt: 0, close: { code: 4403, reason: 'go' }, error },
    ])
  })

  it('announces offline from the first attempt on, as reconnecting', async () => {
    const page = fakePage(false)
    const channel = fakeClient({ lifecycle: page.target }).openChannel('c')
    const { states } = record(channel)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(0)
    page.target.navigator = { onLine: true }
    page.fire('online')
    ;(await nextSocket(0)).open()
    expect(states.map(({ prev, next, reason }) => [prev, next, reason])).toEqual([
      ['connecting', 'reconnecting', 'offline'],
      ['reconnecting', 'reconnecting', 'online'],
      ['reconnecting', 'open', 'opened'],
    ])
  })
})

describe('connect timeout', () => {
  it('counts as a timeout whatever shouldReconnect says, and only for the attempt that timed out', async () => {
    const decide = vi.fn(() => false)
    const channel = fakeClient({ ...fixed, connectTimeoutMs: 2000, shouldReconnect: decide }).openChannel('c')
    const { states } = record(channel)
    await nextSocket()
    await vi.advanceTimersByTimeAsync(2000)
    expect(channel.state).toBe('reconnecting')
    expect(decide).not.toHaveBeenCalled()
    ;(await reconnectSocket(states)).serverClose(1006)
    expect(decide).toHaveBeenCalledTimes(1)
    expect(states.map((s) => s.reason)).toEqual(['timeout', 'refused'])
  })

  it('stops once the socket opens', async () => {
    const channel = fakeClient({ connectTimeoutMs: 2000 }).openChannel('c')
    const { states } = record(channel)
    const socket = await nextSocket()
    await vi.advanceTimersByTimeAsync(1999)
    socket.open()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(states.map((s) => s.reason)).toEqual(['opened'])
    expect(FakeWebSocket.instances).toHaveLength(1)
  })
})

describe('online', () => {
  it('changes nothing unless a wait can be cut short', async () => {
    const page = fakePage()
    const channel = fakeClient({ ...fixed, lifecycle: page.target }).openChannel('c')
    const { states } = record(channel)
    page.fire('online')
    const socket = await nextSocket()
    page.fire('online')
    socket.open()
    page.fire('online')
    socket.serverClose(1006)
    await reconnectSocket(states)
    page.fire('online')
    page.fire('pagehide', true)
    page.fire('online')
    expect(states.map((s) => s.reason)).toEqual(['opened', 'lost', 'suspended'])
  })
  it('changes nothing while suspended, though the backoff wait had not begun', async () => {
    const page = fakePage()
    const { socket, states } = await openWith({ ...fixed, lifecycle: page.target })
    socket.serverClose(1006)
    page.fire('pagehide', true)
    page.fire('online')
    expect(states.map((s) => s.reason)).toEqual(['opened', 'lost', 'suspended'])
  })
})

describe('back/forward cache', () => {
  it('ignores the close the library dispatches for the old socket while suspended', async () => {
    const page = fakePage()
    const { channel, socket, states } = await openWith({ ...fixed, lifecycle: page.target })
    closeLater(socket)
    page.fire('pagehide', true)
    page.fire('pageshow', true)
    const again = await nextSocket(0)
    socket.serverClose(1006)
    again.open()
    expect(channel.state).toBe('open')
    expect(states.map(({ reason, attempt }) => [reason, attempt])).toEqual([
      ['opened', 0],
      ['suspended', 0],
      ['resumed', 0],
      ['opened', 0],
    ])
  })

  it('stops the connect timeout of an attempt it abandons', async () => {
    const page = fakePage()
    const channel = fakeClient({ lifecycle: page.target, connectTimeoutMs: 2000 }).openChannel('c')
    const { states } = record(channel)
    await nextSocket()
    page.fire('pagehide', true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(states.map((s) => s.reason)).toEqual(['suspended'])
    page.fire('pageshow', true)
    ;(await nextSocket(0)).open()
    expect(states.map((s) => s.reason)).toEqual(['suspended', 'resumed', 'opened'])
  })

  it('stops the hello timeout of a socket it releases, which then still asks for resume', async () => {
    const page = fakePage()
    const channel = fakeClient({ lifecycle: page.target, resume: true }).openChannel('c')
    const { states } = record(channel)
    const socket = await nextSocket()
    socket.open()
    closeLater(socket)
    page.fire('pagehide', true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(channel.state).toBe('reconnecting')
    page.fire('pageshow', true)
    const again = await nextSocket(0)
    expect(params(again).sb).toBe('1')
    again.open()
    again.receive(hello('0-0'))
    expect(states.map((s) => s.reason)).toEqual(['suspended', 'resumed', 'opened'])
  })

  it('reconnects on pageshow after a pagehide during a backoff wait, and after one before any socket', async () => {
    const page = fakePage()
    const channel = fakeClient({ ...fixed, lifecycle: page.target, resume: false }).openChannel('c')
    const first = await nextSocket()
    first.open()
    first.serverClose(1006, 'net')
    // Hidden while it waits out its backoff: nothing is attempted, and showing it again reconnects at once.
    page.fire('pagehide', true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(channel.state).toBe('reconnecting')
    page.fire('pageshow', true)
    ;(await nextSocket(0)).open()
    expect(channel.state).toBe('open')

    const early = fakePage()
    const other = fakeClient({ ...fixed, lifecycle: early.target, resume: false }).openChannel('d')
    early.fire('pagehide', true)
    await vi.advanceTimersByTimeAsync(60_000)
    early.fire('pageshow', true)
    await vi.advanceTimersByTimeAsync(0)
    FakeWebSocket.instances.at(-1)?.open()
    expect(other.state).toBe('open')
  })

  it('ignores pageshow without pagehide, and pagehide once closed', async () => {
    const page = fakePage()
    const { channel, states } = await openWith({ lifecycle: page.target })
    page.fire('pageshow', true)
    channel.close()
    page.fire('pagehide', true)
    expect(states.map((s) => s.reason)).toEqual(['opened', 'closed'])
  })
})

describe('negotiation', () => {
  it('stops the hello timeout when the socket drops first, and asks again', async () => {
    const channel = fakeClient({ ...fixed, resume: true }).openChannel('c')
    const { states } = record(channel)
    const first = await nextSocket()
    first.open()
    first.serverClose(1006)
    const next = await reconnectSocket(states)
    expect(params(next).sb).toBe('1')
    await vi.advanceTimersByTimeAsync(1500)
    expect(channel.state).toBe('reconnecting')
    next.open()
    await vi.advanceTimersByTimeAsync(1499)
    expect(channel.state).toBe('reconnecting')
    next.receive(hello('0-0'))
    expect(states.map((s) => s.reason)).toEqual(['lost', 'opened'])
  })

  it('opens once when the first frame is no hello, though the hello timeout passes', async () => {
    const channel = fakeClient({ resume: true }).openChannel('c')
    const { states } = record(channel)
    const socket = await nextSocket()
    socket.open()
    socket.receive('c:{"n":1}')
    await vi.advanceTimersByTimeAsync(60_000)
    socket.receive(hello('1-0'))
    expect(states.map((s) => s.reason)).toEqual(['opened'])
  })

  it('writes a send made inside an open handler after the re-sends and the queue', async () => {
    const channel = fakeClient({ ...fixed, resume: true }).openChannel('c')
    const { states } = record(channel)
    const first = await nextSocket()
    first.open()
    first.receive(hello('0-0'))
    channel.send({ n: 1 })
    channel.send({ n: 2 })
    first.receive(ack(1))
    first.serverClose(1006)
    channel.send({ n: 3 })
    const next = await reconnectSocket(states)
    const seen: Array<{ sent: string[]; status: string }> = []
    channel.onStateChange(({ next: state }) => {
      if (state === 'open') seen.push({ sent: [...next.sent], status: channel.send({ n: 4 }).status })
    })
    next.open()
    expect(next.sent).toEqual([])
    next.receive(hello('0-0'))
    expect(seen).toEqual([{ sent: ['c:{"n":2}'], status: 'queued' }])
    expect(next.sent).toEqual(['c:{"n":2}', 'c:{"n":3}', 'c:{"n":4}'])
  })
})

describe('closing', () => {
  it('from inside the open handler: writes nothing more and fails what waited', async () => {
    const channel = fakeClient().openChannel('c')
    const { states, errors } = record(channel)
    const waiting = channel.send({ n: 1 })
    channel.onStateChange(({ next }) => {
      if (next === 'open') channel.close()
    })
    const socket = await nextSocket()
    socket.open()
    expect(socket.sent).toEqual([])
    expect(waiting.status).toBe('failed')
    expect(states.map((s) => s.reason)).toEqual(['opened', 'closed'])
    expect(errors.map((e) => e.code)).toEqual(['CHANNEL_CLOSED'])
  })

  it('during a backoff wait: no further attempt', async () => {
    const { channel, socket, states } = await openWith(fixed)
    socket.serverClose(1006)
    await vi.advanceTimersByTimeAsync(50)
    channel.close()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(states.map((s) => s.reason)).toEqual(['opened', 'lost', 'closed'])
    expect(channel.send({ n: 1 }).error?.code).toBe('CHANNEL_CLOSED')
  })

  it('while connecting: an open that comes later is ignored', async () => {
    const channel = fakeClient().openChannel('c')
    const { states } = record(channel)
    const socket = await nextSocket()
    channel.close()
    socket.open()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(states.map((s) => s.reason)).toEqual(['closed'])
    expect(channel.state).toBe('closed')
    expect(socket.sent).toEqual([])
  })
})

async function openWith(options = {}) {
  const channel = fakeClient(options).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  return { channel, socket, ...log }
}

/** Makes `socket` close as a browser does, later: it stays CLOSING, and no close event comes by itself. */
function closeLater(socket: FakeWebSocket): void {
  socket.close = () => {
    socket.readyState = 2
  }
}
