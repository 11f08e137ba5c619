import { describe, expect, it } from 'vitest'
import { hasGap, nextMessageId } from '../src/history/history.js'
import { MemoryHistory } from '../src/history/memory-history.js'
import { SendWindow } from '../src/history/send-window.js'

function clock(startMs = 1_000_000) {
  let nowMs = startMs
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) }
}

describe('message ids', () => {
  it('follow the clock, and count within one millisecond or when the clock goes back', () => {
    expect(nextMessageId('0-0', 5)).toBe('5-0')
    expect(nextMessageId('5-0', 5)).toBe('5-1')
    expect(nextMessageId('5-1', 4)).toBe('5-2')
    expect(nextMessageId('5-2', 9)).toBe('9-0')
  })
})

describe('memory history', () => {
  it('gives increasing ids per channel and returns what came after `since`, oldest first', () => {
    const time = clock()
    const history = new MemoryHistory({}, time.now)
    const a1 = history.append('a', 'one')
    const a2 = history.append('a', 'two')
    time.advance(1)
    const a3 = history.append('a', 'three')
    history.append('b', 'elsewhere')
    expect([a1, a2, a3]).toEqual(['1000000-0', '1000000-1', '1000001-0'])
    const read = history.read('a', a1)
    expect(read.messages).toEqual([
      { id: a2, data: 'two' },
      { id: a3, data: 'three' },
    ])
    expect(read.last).toBe(a3)
    expect(hasGap(read, a1)).toBe(false)
    expect(history.read('a').messages).toEqual([])
  })

  it('keeps at most maxMessages per channel and reports the hole to a reader who is behind', () => {
    const history = new MemoryHistory({ maxMessages: 3 }, clock().now)
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'].map((data) => history.append('c', data))
    const read = history.read('c', ids[0])
    expect(read.messages.map((m) => m.data)).toEqual(['m3', 'm4', 'm5'])
    expect(read.dropped).toBe(ids[1])
    expect(hasGap(read, ids[0] ?? '')).toBe(true)
    // A reader who saw m2 missed nothing that was dropped.
    expect(hasGap(history.read('c', ids[1]), ids[1] ?? '')).toBe(false)
  })

  it('drops messages older than maxAgeMs', () => {
    const time = clock()
    const history = new MemoryHistory({ maxAgeMs: 1000 }, time.now)
    const old = history.append('c', 'old')
    time.advance(600)
    history.append('c', 'recent')
    time.advance(600)
    const read = history.read('c', '0-0')
    expect(read.messages.map((m) => m.data)).toEqual(['recent'])
    expect(read.dropped).toBe(old)
  })

  it('ages out the messages of a quiet channel when all channels are trimmed', () => {
    const time = clock()
    const history = new MemoryHistory({ maxAgeMs: 1000 }, time.now)
    const id = history.append('quiet', 'old')
    history.append('other', 'old too')
    time.advance(2000)
    expect(history.held).toBe(2)
    history.trimAll()
    expect(history.held).toBe(0)
    expect(history.read('quiet', '0-0')).toMatchObject({ messages: [], dropped: id, last: id })
  })

  it('treats ids from before it started as dropped: a restart is a gap, a quiet channel is not', () => {
    const time = clock()
    const before = new MemoryHistory({}, time.now)
    const seen = before.append('c', 'from the previous process')
    time.advance(10)
    const after = new MemoryHistory({}, time.now)
    expect(hasGap(after.read('c', seen), seen)).toBe(true)
    // A first connection starts from the later of `last` and `dropped`, so a quiet channel has no gap.
    const head = after.read('quiet')
    expect(hasGap(after.read('quiet', head.dropped), head.dropped)).toBe(false)
  })
})

describe('send window', () => {
  it('accepts each (session, seq) once, in order, and forgets idle sessions', () => {
    const time = clock()
    const window = new SendWindow({ sessionTtlMs: 1000 }, time.now)
    expect(window.accept({ session: 's', seq: 1 })).toBe(true)
    expect(window.accept({ session: 's', seq: 2 })).toBe(true)
    expect(window.accept({ session: 's', seq: 1 })).toBe(false)
    expect(window.accept({ session: 's', seq: 2 })).toBe(false)
    expect(window.accept({ session: 'other', seq: 1 })).toBe(true)
    time.advance(1001)
    expect(window.accept({ session: 's', seq: 1 })).toBe(true)
  })

  it('remembers at most maxSessions, dropping the least recently active', () => {
    const window = new SendWindow({ maxSessions: 2 }, clock().now)
    window.accept({ session: 'a', seq: 1 })
    window.accept({ session: 'b', seq: 1 })
    window.accept({ session: 'a', seq: 2 })
    window.accept({ session: 'c', seq: 1 })
    expect(window.accept({ session: 'a', seq: 2 })).toBe(false)
    expect(window.accept({ session: 'b', seq: 1 })).toBe(true)
  })
})
