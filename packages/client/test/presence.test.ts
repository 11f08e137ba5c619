// Presence on a channel (resume extension): asked for on every open, reported by participant, and a
// reconnect of this page's own socket reports only real changes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { watchPresence } from '../src/presence.js'
import { fakeClient, frames, nextSocket } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('watchPresence', () => {
  it('asks on every open, follows joins and leaves, and after a reconnect reports only what changed', async () => {
    const channel = fakeClient({ resume: true, minDelayMs: 100, maxDelayMs: 100 }).openChannel('room')
    const socket = await nextSocket()
    socket.open()
    socket.receive(frames.hello('1-0'))
    const here = watchPresence(channel)
    const events: string[] = []
    here.onJoin((id) => events.push(`join ${id}`))
    here.onLeave((id) => events.push(`leave ${id}`))
    expect(socket.sent).toEqual([':{"type":"presence"}'])
    socket.receive(':{"type":"presence","present":["7","8"]}')
    socket.receive(':{"type":"join","participant":"9"}')
    socket.receive(':{"type":"leave","participant":"8"}')
    expect(here.present).toEqual(['7', '9'])
    expect(here.has(9)).toBe(true)
    // This page's socket drops and comes back: the server says who is here now, 7 and 9 as before plus 10.
    socket.serverClose(1006)
    const again = await nextSocket(200)
    again.open()
    again.receive(frames.hello('1-0'))
    expect(again.sent).toEqual([':{"type":"presence"}'])
    again.receive(':{"type":"presence","present":["7","9","10"]}')
    expect(events).toEqual(['join 7', 'join 8', 'join 9', 'leave 8', 'join 10'])
    here.close()
  })

  it('against a plain server asks nothing and knows no one', async () => {
    const channel = fakeClient({ resume: false }).openChannel('room')
    const socket = await nextSocket()
    socket.open()
    await vi.advanceTimersByTimeAsync(0)
    const here = watchPresence(channel)
    expect(socket.sent).toEqual([])
    expect(here.present).toEqual([])
  })
})
