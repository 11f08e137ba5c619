import { createClient as createRedisClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { RedisBackend, silentLog, startServer } from '../src/index.js'
import type { RedisBackendOptions, Server } from '../src/index.js'
import { MESSAGE_OVERHEAD_BYTES, hasGap } from '../src/history/history.js'
import { redisSuite } from './redis-suite.js'
import { peer } from './ws-peer.js'

const suite = redisSuite()
const { cleanups } = suite

async function backend(options: RedisBackendOptions): Promise<RedisBackend> {
  const connected = await RedisBackend.connect(suite.redis.url, silentLog, options)
  cleanups.push(() => connected.close())
  return connected
}

async function admin() {
  const client = createRedisClient({ url: suite.redis.url })
  await client.connect()
  cleanups.push(() => client.quit())
  return client
}

describe('history bounded over the whole Redis', () => {
  it('holds at most maxBytes and maxChannels; the counters match the streams; an evicted reader gets a gap; a bystander is kept', async () => {
    await suite.flush()
    const broker = await backend({ history: { maxBytes: 256 * 1024, maxChannels: 30 } })
    const pad = 'p'.repeat(6 * 1024)
    const first = await broker.history('participant_0_channel')
    await broker.publish('participant_0_channel', pad)
    const since = (await broker.history('participant_0_channel', '0-0')).messages[0]?.id ?? ''
    for (let k = 1; k <= 200; k++) await broker.publish(`participant_${k}_channel`, pad)
    await broker.publish('bystander', '{"fresh":true}')
    const stats = await broker.historyStats()
    expect(stats.bytes).toBeLessThanOrEqual(256 * 1024)
    expect(stats.channels).toBeLessThanOrEqual(30)
    // What Redis really holds agrees with the counters, and no stream outlives its channel.
    const redis = await admin()
    const streams = await redis.keys('switchboard:history:*')
    expect(streams.length).toBe(stats.channels)
    let bytes = 0
    for (const key of streams) for (const entry of await redis.xRange(key, '-', '+')) bytes += Buffer.byteLength(entry.message.d ?? '') + MESSAGE_OVERHEAD_BYTES
    expect(bytes).toBe(stats.bytes)
    expect((await redis.keys('switchboard:dropped:*')).length).toBeLessThanOrEqual(stats.channels)
    // The first channel is gone: a reader who is behind gets a gap, nothing invented.
    const evicted = await broker.history('participant_0_channel', since)
    expect(evicted.messages).toEqual([])
    expect(hasGap(evicted, since)).toBe(true)
    expect(hasGap(evicted, first.dropped)).toBe(true)
    // A new message there gets an id after everything forgotten.
    await broker.publish('participant_0_channel', 'back')
    const again = await broker.history('participant_0_channel', since)
    expect(again.messages.map((m) => m.data)).toEqual(['back'])
    expect(hasGap(again, since)).toBe(true)
    expect((await broker.history('bystander', '0-0')).messages.map((m) => m.data)).toEqual(['{"fresh":true}'])
  })

  it('trims one channel that alone is over maxBytes from its oldest message', async () => {
    await suite.flush()
    const broker = await backend({ history: { maxBytes: 200 * 1024 } })
    for (let n = 0; n < 5; n++) await broker.publish('big', `${n}`.padEnd(60 * 1024, '.'))
    const read = await broker.history('big', '0-0')
    expect(read.messages.map((m) => m.data[0])).toEqual(['2', '3', '4'])
    expect(hasGap(read, '0-0')).toBe(true)
    expect((await broker.historyStats()).bytes).toBe(3 * (60 * 1024 + MESSAGE_OVERHEAD_BYTES))
  })

  it('replays at most maxMessages and maxBytes, the newest, the older rest counted as dropped', async () => {
    await suite.flush()
    const byCount = await backend({ replay: { maxMessages: 3 } })
    for (let n = 0; n < 10; n++) await byCount.publish('c', `${n}`.padEnd(1000, '.'))
    const all = (await (await backend({})).history('c', '0-0')).messages
    expect(all).toHaveLength(10)
    const counted = await byCount.history('c', '0-0')
    expect(counted.messages).toEqual(all.slice(7))
    expect(counted.dropped).toBe(all[6]?.id)
    const byBytes = await backend({ replay: { maxBytes: 2500 } })
    const sized = await byBytes.history('c', all[1]?.id)
    expect(sized.messages).toEqual(all.slice(8))
    expect(sized.dropped).toBe(all[7]?.id)
    expect(hasGap(await byBytes.history('c', all[7]?.id), all[7]?.id ?? '')).toBe(false)
  })
})

describe('replays through sockets on Redis', () => {
  it('runs at most replay.maxInFlight replays at once; the others wait and get theirs; a bystander is served meanwhile', async () => {
    await suite.flush()
    const broker = await backend({ replay: { maxMessages: 50, maxInFlight: 2 } })
    const channelRules = [{ channel: 'room', subscribe: 'everyone', publish: 'everyone' } as const, { channel: 'lobby', subscribe: 'everyone', publish: 'everyone' } as const]
    const server: Server = await startServer({ log: silentLog, allowAnonymous: true, channelRules, broker, state: broker })
    cleanups.push(() => server.close())
    for (let n = 1; n <= 200; n++) await broker.publish('room', `{"n":${n}}`)
    const bystander = await peer(server.url, { channel: 'lobby' })
    const greedy = await Promise.all(Array.from({ length: 20 }, (_, n) => peer(server.url, { channel: 'room', sb: '1', sb_session: `greedy-session-${n}`, sb_since: '0-0' })))
    const talker = await peer(server.url, { channel: 'lobby' })
    talker.send('lobby:{"hi":1}')
    await bystander.receivedFrame('lobby:{"hi":1}')
    for (const socket of greedy) {
      const frames = await socket.received(52, 10_000)
      expect(frames[1]).toMatch(/^:\{"type":"gap","since":"0-0","last":"\d+-\d+"\}$/)
      expect(frames.slice(2).map((f) => f.replace(/^\S+ /, ''))).toEqual(Array.from({ length: 50 }, (_, i) => `room:{"n":${151 + i}}`))
    }
    expect(broker.status().replays).toMatchObject({ inFlight: 0, waiting: 0 })
    expect(broker.status().replays?.peakInFlight).toBeLessThanOrEqual(2)
    expect(broker.status().replays?.peakInFlight).toBe(2)
  })
})
