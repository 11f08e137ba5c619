// The catch-up after an outage, on a fake pub/sub connection and a history the test answers by hand.
import { describe, expect, it } from 'vitest'
import type { createClient } from 'redis'
import { RedisSubscriptions } from '../src/broker/redis-subscriptions.js'
import type { HistoryRead } from '../src/history/history.js'
import { silentLog } from '../src/index.js'

type Read = { channel: string; since: string | undefined; resolve: (read: HistoryRead) => void; reject: (error: unknown) => void }

function fakePubSub() {
  let onMessage: (message: string, channel: string) => void = () => {}
  const subscriber = {
    subscribe: async (_channels: string[], listener: typeof onMessage) => {
      onMessage = listener
    },
    unsubscribe: async () => {},
  } as unknown as ReturnType<typeof createClient>
  const reads: Read[] = []
  const read = (channel: string, since?: string) =>
    since === undefined ? Promise.resolve<HistoryRead>({ last: '10-0', dropped: '0-0', messages: [] }) : new Promise<HistoryRead>((resolve, reject) => reads.push({ channel, since, resolve, reject }))
  const subscriptions = new RedisSubscriptions(subscriber, read, silentLog)
  const publish = (channel: string, id: string, data: string) => {
    onMessage(id, `switchboard:id:${channel}`)
    onMessage(data, channel)
  }
  const got: string[] = []
  const gaps: string[] = []
  const listen = async (channel: string) => {
    await subscriptions.subscribe(channel, (data) => got.push(`${channel}:${data}`), (after, until) => gaps.push(`${channel}:${after}..${until}`))
    // The new subscription's starting point (the head read) settles.
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { subscriptions, reads, publish, got, gaps, listen }
}

describe('the catch-up after an outage', () => {
  it('delivers each channel’s missed and held messages once and in order, though ids repeat across channels', async () => {
    const { subscriptions, reads, publish, got, listen } = fakePubSub()
    await listen('a')
    await listen('b')
    subscriptions.pause()
    const done = subscriptions.catchUp()
    // b's history is read before b's next message is published; a's after a's. Both get id 20-0.
    reads.find((r) => r.channel === 'b')?.resolve({ last: '10-0', dropped: '0-0', messages: [] })
    publish('a', '20-0', 'from a')
    publish('b', '20-0', 'from b')
    reads.find((r) => r.channel === 'a')?.resolve({ last: '20-0', dropped: '0-0', messages: [{ id: '15-0', data: 'missed by a' }, { id: '20-0', data: 'from a' }] })
    expect(await done).toEqual({ recovered: 2, gaps: 0 })
    expect(got).toEqual(['a:missed by a', 'a:from a', 'b:from b'])
  })

  it('survives an outage during its own catch-up: nothing twice, nothing lost, no crash', async () => {
    const { subscriptions, reads, publish, got, listen } = fakePubSub()
    await listen('c')
    subscriptions.pause()
    const first = subscriptions.catchUp()
    // Redis goes again while the first catch-up reads; then comes back, and a second one starts.
    subscriptions.pause()
    const second = subscriptions.catchUp()
    reads[0]?.resolve({ last: '11-0', dropped: '0-0', messages: [{ id: '11-0', data: 'one' }] })
    publish('c', '13-0', 'held')
    reads[1]?.resolve({ last: '12-0', dropped: '0-0', messages: [{ id: '11-0', data: 'one' }, { id: '12-0', data: 'two' }] })
    await Promise.all([first, second])
    expect(got).toEqual(['c:one', 'c:two', 'c:held'])
    // A third outage whose first read fails (Redis still loading): read again, then what was held.
    subscriptions.pause()
    const third = subscriptions.catchUp()
    publish('c', '14-0', 'after')
    reads[2]?.reject(new Error('LOADING Redis is loading the dataset in memory'))
    await expect.poll(() => reads.length).toBe(4)
    reads[3]?.resolve({ last: '13-5', dropped: '0-0', messages: [{ id: '13-5', data: 'missed' }] })
    await third
    expect(got.slice(3)).toEqual(['c:missed', 'c:after'])
  })

  it('tells listeners of what history no longer holds, and a listener that throws stops nothing', async () => {
    const { subscriptions, reads, got, gaps, listen } = fakePubSub()
    await listen('d')
    await subscriptions.subscribe('d', () => {}, () => {
      throw new Error('page bug')
    })
    subscriptions.pause()
    const done = subscriptions.catchUp()
    reads[0]?.resolve({ last: '30-0', dropped: '25-0', messages: [{ id: '30-0', data: 'newest' }] })
    expect(await done).toEqual({ recovered: 1, gaps: 1 })
    expect(gaps).toEqual(['d:10-0..25-0'])
    expect(got).toEqual(['d:newest'])
  })
})
