// The one timer behind every grace period and handshake deadline.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GraceQueue } from '../src/resume/grace-queue.js'

describe('a grace queue', () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())

  it('ends each wait after its time, in order, unless deleted or stopped, and arms again after running empty', async () => {
    const due: string[] = []
    const queue = new GraceQueue<string>(1000, (value) => void due.push(value))
    queue.add('a', 'a')
    await vi.advanceTimersByTimeAsync(400)
    queue.add('b', 'b')
    queue.add('c', 'c')
    queue.add('b', 'b again')
    queue.delete('c')
    await vi.advanceTimersByTimeAsync(600)
    expect(due).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(399)
    expect(due).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(1)
    expect(due).toEqual(['a', 'b'])
    // Added after the queue ran empty: a timer of its own.
    queue.add('d', 'd')
    await vi.advanceTimersByTimeAsync(1000)
    expect(due).toEqual(['a', 'b', 'd'])
    queue.add('e', 'e')
    queue.stop()
    await vi.advanceTimersByTimeAsync(2000)
    expect(due).toEqual(['a', 'b', 'd'])
    expect(queue.size).toBe(0)
  })
})
