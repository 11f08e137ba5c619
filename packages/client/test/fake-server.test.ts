// The fake server of @switchboard/client/testing: the relay's conformance cases, then the real client on
// it under fake timers, through the faults a test can ask for.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/index.js'
import type { Payload } from '../src/index.js'
import { FakeServer, FakeWebSocket } from '../src/testing.js'
import { relayConformance } from './conformance.js'
import type { Connect } from './conformance.js'

afterEach(() => {
  vi.useRealTimers()
  FakeWebSocket.reset()
})

describe('the fake server, as the relay', () => {
  relayConformance((): Connect => {
    const server = new FakeServer()
    return (query) =>
      new Promise((resolve) => {
        const socket = new server.WebSocket(`${server.url}?${new URLSearchParams(query)}`) as FakeWebSocket
        const frames: string[] = []
        socket.addEventListener('message', (event) => frames.push(String((event as { data: unknown }).data)))
        socket.addEventListener('open', () => resolve({ frames, send: (frame) => socket.send(frame), close: () => socket.close() }))
      })
  })
})

describe('the client on the fake server', () => {
  function participants(server: FakeServer, ...ids: number[]) {
    return ids.map((id) => {
      const room = createClient({ url: server.url, WebSocket: server.WebSocket, identity: { participantId: id }, minDelayMs: 100, maxDelayMs: 100 }).openChannel('room')
      const seen: Payload[] = []
      room.onAny((message) => seen.push(message))
      return { room, seen }
    })
  }

  it('resumes through a drop and a restart that keeps history: every message once, in order; a restart that forgets is a gap', async () => {
    vi.useFakeTimers()
    const server = new FakeServer()
    const [a, b] = participants(server, 1, 2)
    if (!a || !b) throw new Error('two participants')
    // The client makes its socket on a timer, the server answers on another.
    await vi.advanceTimersByTimeAsync(10)
    expect(a.room.state).toBe('open')
    a.room.send({ n: 1 })
    await vi.advanceTimersByTimeAsync(0)
    server.dropAll()
    a.room.send({ n: 2 })
    server.publish('room', { n: 3 })
    await vi.advanceTimersByTimeAsync(200)
    server.restart()
    await vi.advanceTimersByTimeAsync(200)
    // In the order the server published them: a's n:2 was held until a was back, after the experiment's n:3.
    expect(b.seen).toEqual([{ n: 1 }, { n: 3 }, { n: 2 }])
    const gaps: unknown[] = []
    b.room.onGap((gap) => gaps.push(gap))
    server.restart({ keepHistory: false })
    await vi.advanceTimersByTimeAsync(200)
    expect(gaps).toHaveLength(1)
    expect(server.published('room')).toEqual([{ n: 1 }, { n: 3 }, { n: 2 }])
  })

  it('holds everything while black-holed, and delivers it all after; a delay delays', async () => {
    vi.useFakeTimers()
    const server = new FakeServer()
    const [a, b] = participants(server, 1, 2)
    if (!a || !b) throw new Error('two participants')
    await vi.advanceTimersByTimeAsync(10)
    server.blackhole(true)
    const receipt = a.room.send({ n: 1 })
    await vi.advanceTimersByTimeAsync(1000)
    expect([b.seen, receipt.status]).toEqual([[], 'sent'])
    server.blackhole(false)
    await vi.advanceTimersByTimeAsync(0)
    expect([b.seen, receipt.status]).toEqual([[{ n: 1 }], 'acknowledged'])
    server.delay(500)
    a.room.send({ n: 2 })
    await vi.advanceTimersByTimeAsync(499)
    expect(b.seen).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(b.seen).toEqual([{ n: 1 }, { n: 2 }])
  })
})
