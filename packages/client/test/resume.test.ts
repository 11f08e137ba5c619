import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import fc from 'fast-check'
import { compareMessageIds } from '../src/message-id.js'
import { Resume } from '../src/resume.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import type { Gap } from '../src/resume.js'
import type { StateChange } from '../src/connection-state.js'
import { fakeClient, nextSocket, reconnectSocket, record } from './helpers.js'

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

/** Plays a server with the extension: opens `socket` and says hello, resuming after `last`. */
function greet(socket: FakeWebSocket, last: string): FakeWebSocket {
  socket.open()
  socket.receive(hello(last))
  return socket
}

/** Drops `socket` as the network would, and returns the reconnect attempt's socket, greeted. */
async function dropAndResume(socket: FakeWebSocket, states: StateChange[], last: string): Promise<FakeWebSocket> {
  socket.serverClose(1006)
  return greet(await reconnectSocket(states), last)
}

/** A resuming channel `c` whose first socket is open and greeted. */
async function resumingChannel(options = {}) {
  const channel = fakeClient({ resume: true, minDelayMs: 100, maxDelayMs: 100, ...options }).openChannel('c')
  const log = record(channel)
  const received: Array<{ n: unknown; id: string | undefined }> = []
  channel.onAny((message, meta) => received.push({ n: message.n, id: meta.id }))
  const gaps: Gap[] = []
  channel.onGap((gap) => gaps.push(gap))
  const socket = await nextSocket()
  return { channel, socket, received, gaps, ...log }
}

describe('message ids', () => {
  it('order by milliseconds, then by sequence', () => {
    expect(compareMessageIds('5-0', '5-1')).toBeLessThan(0)
    expect(compareMessageIds('10-0', '9-7')).toBeGreaterThan(0)
    expect(compareMessageIds('7-3', '7-3')).toBe(0)
  })

  it('are read from the front of a frame as a regular expression would, and kept only when they come after the last', () => {
    const id = fc.tuple(fc.nat({ max: 2 ** 45 }), fc.nat({ max: 99 })).map(([ms, seq]) => `${ms}-${seq}`)
    const frame = fc.oneof(
      id.map((i) => `${i} c:{}`),
      fc.string({ unit: fc.constantFrom('1', '2', '-', ' ', ':', 'c', '{', '}') }),
    )
    fc.assert(
      fc.property(fc.option(id, { nil: undefined }), fc.array(frame), (hello, frames) => {
        const resume = new Resume(true)
        if (hello) resume._read(`:{"type":"hello","v":1,"last":"${hello}"}`)
        let last = hello
        for (const data of frames) {
          const front = /^(\d+-\d+) /.exec(data)?.[1]
          const expected = front === undefined ? undefined : last !== undefined && compareMessageIds(front, last) <= 0 ? null : front
          expect(resume._numbered(data)).toBe(expected)
          if (expected) last = expected
          expect(resume._last).toBe(last)
        }
      }),
    )
  })
})

describe('resume extension', () => {
  it('asks for it in the URL and opens only after the hello, then sends what waited', async () => {
    const { channel, socket } = await resumingChannel()
    expect(params(socket)).toMatchObject({ channel: 'c', sb: '1', sb_seq: '1' })
    expect(params(socket).sb_session).toMatch(/^[a-z0-9]{8,64}$/)
    expect(params(socket).sb_since).toBeUndefined()
    const receipt = channel.send({ n: 1 })
    socket.open()
    expect(channel.state).toBe('connecting')
    expect(socket.sent).toEqual([])
    socket.receive(hello('5-0'))
    expect(channel.state).toBe('open')
    expect(socket.sent).toEqual(['c:{"n":1}'])
    expect(receipt.status).toBe('sent')
  })

  it('moves each receipt from queued to sent to acknowledged, cumulatively', async () => {
    const { channel, socket } = await resumingChannel()
    const first = channel.send({ n: 1 })
    expect(first.status).toBe('queued')
    greet(socket, '0-0')
    const second = channel.send({ n: 2 })
    const third = channel.send({ n: 3 })
    expect([first, second, third].map((r) => r.status)).toEqual(['sent', 'sent', 'sent'])
    socket.receive(ack(2))
    expect([first, second, third].map((r) => r.status)).toEqual(['acknowledged', 'acknowledged', 'sent'])
    await expect(second.settled).resolves.toBe('acknowledged')
  })

  it('re-sends what was not acknowledged after a reconnect, numbered from the oldest, and resumes after the last id', async () => {
    const { channel, socket, states, received } = await resumingChannel()
    greet(socket, '1-0')
    socket.receive('2-0 c:{"n":"a"}')
    channel.send({ n: 1 })
    channel.send({ n: 2 })
    channel.send({ n: 3 })
    socket.receive(ack(1))
    socket.serverClose(1006)
    const queuedWhileDown = channel.send({ n: 4 })
    const next = await reconnectSocket(states)
    expect(params(next)).toMatchObject({ sb: '1', sb_seq: '2', sb_since: '2-0', sb_session: params(socket).sb_session })
    greet(next, '2-0')
    expect(next.sent).toEqual(['c:{"n":2}', 'c:{"n":3}', 'c:{"n":4}'])
    next.receive(ack(4))
    expect(queuedWhileDown.status).toBe('acknowledged')
    expect(received).toEqual([{ n: 'a', id: '2-0' }])
  })

  it('delivers each message once and in order, dropping what it has seen', async () => {
    const { socket, received, states } = await resumingChannel()
    greet(socket, '1-0')
    socket.receive('1-5 c:{"n":1}')
    socket.receive('1-6 c:{"n":2}')
    socket.receive('1-6 c:{"n":2}')
    socket.receive('1-5 c:{"n":1}')
    const next = await dropAndResume(socket, states, '1-6')
    next.receive('1-6 c:{"n":2}')
    next.receive('2-0 c:{"n":3}')
    // Published straight into Redis by another program: no id, delivered as it comes.
    next.receive('c:{"n":"foreign"}')
    expect(received).toEqual([
      { n: 1, id: '1-5' },
      { n: 2, id: '1-6' },
      { n: 3, id: '2-0' },
      { n: 'foreign', id: undefined },
    ])
  })

  it("gives each numbered message its id's server time, and none to a message without an id", async () => {
    const { channel, socket } = await resumingChannel()
    const times: Array<number | undefined> = []
    channel.onAny((_, meta) => times.push(meta.serverTime))
    greet(socket, '0-0')
    socket.receive('1795306221240-1 c:{"n":1}')
    socket.receive('c:{"n":"foreign"}')
    socket.receive('1795306221377-0 c:{"n":2}')
    expect(times).toEqual([1795306221240, undefined, 1795306221377])
  })

  it('reports a gap when history no longer covers the hole, and goes on after it', async () => {
    const { socket, received, gaps, states } = await resumingChannel()
    greet(socket, '1-0')
    socket.receive('3-0 c:{"n":1}')
    const next = await dropAndResume(socket, states, '9-0')
    next.receive(':{"type":"gap","since":"3-0","last":"9-0"}')
    next.receive('9-1 c:{"n":2}')
    expect(gaps).toEqual([{ since: '3-0', last: '9-0' }])
    expect(received.map((m) => m.n)).toEqual([1, 2])
    next.serverClose(1006)
    expect(params(await reconnectSocket(states)).sb_since).toBe('9-1')
  })

  it('falls back to the plain protocol when no hello comes, and stops asking', async () => {
    const { channel, socket, states, errors } = await resumingChannel()
    const receipt = channel.send({ n: 1 })
    socket.open()
    await vi.advanceTimersByTimeAsync(1499)
    expect(channel.state).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(channel.state).toBe('open')
    expect(socket.sent).toEqual(['c:{"n":1}'])
    await expect(receipt.settled).resolves.toBe('sent')
    socket.serverClose(1006)
    const next = await reconnectSocket(states)
    expect(params(next).sb).toBeUndefined()
    next.open()
    expect(channel.state).toBe('open')
    expect(channel.send({ n: 2 }).status).toBe('sent')
    expect(next.sent).toEqual(['c:{"n":2}'])
    expect(errors).toEqual([])
  })

  it('takes a hello that comes after the timeout: the socket switches to the extension', async () => {
    const { channel, socket, received } = await resumingChannel()
    const early = channel.send({ n: 1 })
    socket.open()
    await vi.advanceTimersByTimeAsync(1500)
    expect(channel.state).toBe('open')
    socket.receive(hello('4-0'))
    socket.receive('5-0 c:{"n":"late"}')
    socket.receive('5-0 c:{"n":"late"}')
    const later = channel.send({ n: 2 })
    socket.receive(ack(2))
    expect(received).toEqual([{ n: 'late', id: '5-0' }])
    expect([early.status, later.status]).toEqual(['sent', 'acknowledged'])
  })

  it('ignores extension frames it does not understand, and goes on', async () => {
    const { channel, socket, received, gaps, errors } = await resumingChannel()
    greet(socket, '1-0')
    const receipt = channel.send({ n: 1 })
    for (const odd of [':{"type":"future"}', ':{}', ':{"type":"ack"}', ':{"type":"ack","seq":"1"}', ':{"type":"gap","last":"5-0"}', ':{"type":"hello"}', ':{not json', ':[1]']) {
      expect(() => socket.receive(odd)).not.toThrow()
    }
    socket.receive('2-0 c:{"n":"after"}')
    socket.receive(ack(1))
    expect(received).toEqual([{ n: 'after', id: '2-0' }])
    expect(gaps).toEqual([])
    expect(receipt.status).toBe('acknowledged')
    expect(errors).toEqual([])
  })

  it('takes a first frame that is not a hello as a plain server, and delivers it', async () => {
    const { channel, socket, received } = await resumingChannel()
    socket.open()
    socket.receive('c:{"n":1}')
    expect(channel.state).toBe('open')
    expect(received).toEqual([{ n: 1, id: undefined }])
  })

  it('fails what is held when the channel closes, saying it may not have arrived', async () => {
    const { channel, socket, errors } = await resumingChannel()
    greet(socket, '0-0')
    const unacknowledged = channel.send({ n: 1 })
    channel.close()
    await expect(unacknowledged.settled).resolves.toBe('failed')
    expect(unacknowledged.error).toMatchObject({ code: 'CHANNEL_CLOSED', frames: ['c:{"n":1}'] })
    expect(errors.map((e) => e.message)).toEqual(['Closed with 1 unacknowledged'])
  })

  it('counts unacknowledged sends against the outbox limit', async () => {
    const { channel, socket } = await resumingChannel({ outboxLimit: 2 })
    greet(socket, '0-0')
    channel.send({ n: 1 })
    channel.send({ n: 2 })
    const third = channel.send({ n: 3 })
    expect(third.status).toBe('failed')
    expect(third.error?.code).toBe('OUTBOX_FULL')
    socket.receive(ack(2))
    expect(channel.send({ n: 4 }).status).toBe('sent')
  })
})
