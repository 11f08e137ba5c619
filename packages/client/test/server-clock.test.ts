// The server's clock from the extension's pings: the estimate, its uncertainty, and timers at server times.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ClockFilter, ServerClock, createServerClock } from '../src/clock.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, frames, nextSocket } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A sample of a server `offset` ms ahead, asked at `at` with `up` ms to the server and `down` ms back. */
const sample = (at: number, up: number, down: number, offset: number) => ({ sentAt: at, receivedAt: at + up + down, serverTime: at + up + offset })

describe('the clock filter', () => {
  it('takes the offset from the fastest round trip, within half of it, however lopsided the delays', () => {
    const filter = new ClockFilter()
    const offset = 5000
    for (const [up, down] of [[80, 5], [3, 60], [40, 40], [2, 9], [70, 1]] as const) filter.add(sample(1000 * up, up, down, offset))
    const estimate = filter.estimate
    expect(estimate?.rttMs).toBe(11)
    // Half the round trip, and half a millisecond: the server's clock is read in whole milliseconds.
    expect(estimate?.uncertaintyMs).toBe(6)
    expect(Math.abs((estimate?.offsetMs ?? 0) - offset)).toBeLessThanOrEqual(6)
  })

  it('under random jitter, stays within the uncertainty it reports', () => {
    const filter = new ClockFilter()
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 50
    for (let n = 0; n < 40; n++) {
      filter.add(sample(n * 10_000, 1 + random(), 1 + random(), -7000))
      const estimate = filter.estimate
      expect(Math.abs((estimate?.offsetMs ?? 0) + 7000)).toBeLessThanOrEqual(estimate?.uncertaintyMs ?? 0)
    }
  })

  it('on a fast network with a server clock in whole milliseconds, settles instead of flapping, within what it reports', () => {
    const filter = new ClockFilter()
    let resets = 0
    let seed = 11
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    for (let n = 0; n < 1000; n++) {
      const at = n * 1000 + random()
      const [up, down] = [0.05 + random() * 0.3, 0.05 + random() * 0.3]
      const before = filter.estimate
      filter.add({ sentAt: at, receivedAt: at + up + down, serverTime: Math.floor(at + up + 2500) })
      const estimate = filter.estimate
      if (before && estimate && Math.abs(estimate.offsetMs - before.offsetMs) > before.uncertaintyMs + estimate.uncertaintyMs) resets += 1
      expect(Math.abs((estimate?.offsetMs ?? 0) - 2500)).toBeLessThanOrEqual(estimate?.uncertaintyMs ?? 0)
    }
    expect(resets).toBe(0)
  })

  it('forgets older samples when the server’s clock is set: the estimate follows at once', () => {
    const filter = new ClockFilter()
    for (let n = 0; n < 5; n++) filter.add(sample(n * 10_000, 2, 2, 1000))
    expect(filter.estimate?.offsetMs).toBe(1000.5)
    // The server's clock jumps 30 s ahead; the new sample is slower but contradicts every old one.
    expect(filter.add(sample(60_000, 20, 20, 31_000))).toBe(true)
    expect(filter.estimate?.offsetMs).toBe(31_000.5)
  })
})

describe('ServerClock', () => {
  /** A server `offset` ms ahead of the local clock (Date.now, faked), answering after `up` and arriving `down` later. */
  function server(offset: number, delays: { up: number; down: number }) {
    let answering = true
    const ask = () =>
      answering
        ? new Promise<number>((resolve) => setTimeout(() => {
            const serverTime = Date.now() + offset
            setTimeout(() => resolve(serverTime), delays.down)
          }, delays.up))
        : Promise.resolve(undefined)
    return { ask, stop: () => (answering = false), start: () => (answering = true) }
  }

  it('estimates the server’s time, and runs callbacks at a server time, also while answers stop and after', async () => {
    const remote = server(5000, { up: 30, down: 10 })
    const clock = new ServerClock({ ask: remote.ask, now: () => Date.now() })
    expect(clock.now()).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1000)
    expect(clock.rttMs).toBe(40)
    expect(Math.abs((clock.now() ?? 0) - (Date.now() + 5000))).toBeLessThanOrEqual(clock.uncertaintyMs ?? 0)
    const fired: number[] = []
    const startsAt = Date.now() + 5000 + 3000
    clock.at(startsAt, () => fired.push(Date.now() + 5000))
    // The connection drops: the clock keeps its estimate and its timers.
    remote.stop()
    await vi.advanceTimersByTimeAsync(2900)
    expect(fired).toEqual([])
    remote.start()
    await vi.advanceTimersByTimeAsync(200)
    expect(fired).toHaveLength(1)
    expect(Math.abs((fired[0] ?? 0) - startsAt)).toBeLessThanOrEqual(20)
    await expect(Promise.race([clock.until(startsAt - 1000).then(() => 'at once'), Promise.resolve('later')])).resolves.toBe('later')
    clock.close()
  })

  it('re-aims a timer when the estimate changes, and a callback that throws stops nothing', async () => {
    let offset = 0
    const clock = new ServerClock({ ask: async () => Date.now() + offset, now: () => Date.now(), intervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(600)
    const fired: string[] = []
    clock.at(Date.now() + 10_000, () => fired.push('on time'))
    clock.at(Date.now() + 1, () => {
      throw new Error('page bug')
    })
    // The server's clock is set 8 s ahead: the timer due in 10 s now fires about 2 s from here.
    offset = 8000
    await vi.advanceTimersByTimeAsync(2500)
    expect(fired).toEqual(['on time'])
    clock.close()
  })
})

describe('channel.ping() and createServerClock', () => {
  it('answer with the server’s clock on a Switchboard server, and nothing on a plain one', async () => {
    const channel = fakeClient({ resume: true }).openChannel('c')
    const socket = await nextSocket()
    socket.open()
    socket.receive(frames.hello('1-0'))
    const clock = createServerClock(channel)
    await vi.advanceTimersByTimeAsync(0)
    // Numbered apart from the heartbeat's pings, so the channel's lastPong stays the heartbeat's.
    expect(socket.sent).toEqual([':{"type":"ping","id":-1}'])
    socket.receive(frames.pong(-1, 1_795_306_221_240))
    await vi.advanceTimersByTimeAsync(0)
    expect(clock.now()).toBeCloseTo(1_795_306_221_240, -1)
    expect(channel.lastPong).toBeUndefined()
    clock.close()

    const plain = fakeClient({ resume: false }).openChannel('d')
    ;(await nextSocket()).open()
    await expect(plain.ping()).resolves.toBeUndefined()
  })
})
