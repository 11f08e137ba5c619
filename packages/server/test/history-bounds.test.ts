import { afterEach, describe, expect, it } from 'vitest'
import { MemoryBroker, silentLog, startServer } from '../src/index.js'
import type { MemoryBrokerOptions, Server } from '../src/index.js'
import { MESSAGE_OVERHEAD_BYTES, hasGap } from '../src/history/history.js'
import { MemoryHistory } from '../src/history/memory-history.js'
import { ReplayGate } from '../src/history/replay-gate.js'
import { peer } from './ws-peer.js'

const KB60 = 'x'.repeat(60 * 1024)

describe('history bounded over the whole server (memory)', () => {
  it('holds at most maxBytes and maxChannels, however many channels are written, the least recently written giving way', () => {
    const history = new MemoryHistory({ maxBytes: 1024 * 1024, maxChannels: 100 })
    const ids: string[] = []
    // K participants, each one 60 KB message on its own private channel.
    for (let k = 0; k < 1000; k++) {
      ids.push(history.append(`participant_${k}_channel`, KB60))
      expect(history.stats().bytes).toBeLessThanOrEqual(1024 * 1024)
      expect(history.stats().channels).toBeLessThanOrEqual(100)
    }
    expect(history.stats().bytes).toBe(history.held * (KB60.length + MESSAGE_OVERHEAD_BYTES))
    // The newest are kept; the oldest channel is forgotten, and its reader gets a gap, nothing invented.
    expect(history.read('participant_999_channel', '0-0').messages.map((m) => m.id)).toEqual([ids[999]])
    const evicted = history.read('participant_0_channel', ids[0])
    expect(evicted.messages).toEqual([])
    expect(hasGap(evicted, ids[0] ?? '')).toBe(true)
    // A reader who is behind on a channel forgotten whole gets a gap too, and a new message there gets a later id.
    const again = history.append('participant_0_channel', 'back')
    expect(history.read('participant_0_channel', '0-0')).toMatchObject({ messages: [{ id: again, data: 'back' }] })
    expect(hasGap(history.read('participant_0_channel', ids[0]), ids[0] ?? '')).toBe(true)
  })

  it('trims a single channel that alone is over maxBytes from its oldest message', () => {
    const history = new MemoryHistory({ maxBytes: 200 * 1024 })
    const ids = [1, 2, 3, 4, 5].map(() => history.append('big', KB60))
    const read = history.read('big', '0-0')
    expect(read.messages.map((m) => m.id)).toEqual(ids.slice(2))
    expect(read.dropped).toBe(ids[1])
  })

  it('replays at most maxMessages and maxBytes, the newest, and counts the older rest as dropped', () => {
    const history = new MemoryHistory()
    const ids = Array.from({ length: 10 }, (_, n) => history.append('c', `m${n}`.padEnd(100, '.')))
    const byCount = history.read('c', '0-0', { maxMessages: 3, maxBytes: Infinity })
    expect(byCount.messages.map((m) => m.id)).toEqual(ids.slice(7))
    expect(byCount.dropped).toBe(ids[6])
    const byBytes = history.read('c', ids[2], { maxMessages: 1000, maxBytes: 250 })
    expect(byBytes.messages.map((m) => m.id)).toEqual(ids.slice(8))
    expect(byBytes.dropped).toBe(ids[7])
    // A reader within the bound is given everything, with no gap.
    const near = history.read('c', ids[7], { maxMessages: 3, maxBytes: 1000 })
    expect(near.messages.map((m) => m.id)).toEqual(ids.slice(8))
    expect(hasGap(near, ids[7] ?? '')).toBe(false)
  })
})

describe('replay gate', () => {
  it('runs at most maxInFlight at once, the others in arrival order, and frees a slot when a replay fails', async () => {
    const gate = new ReplayGate(2)
    const releases: Array<() => void> = []
    const started: number[] = []
    const runs = [0, 1, 2, 3].map((n) =>
      gate.run(async () => {
        started.push(n)
        await new Promise<void>((resolve) => releases.push(resolve))
        if (n === 0) throw new Error('replay failed')
        return n
      }),
    )
    await expect.poll(() => started).toEqual([0, 1])
    expect(gate.status()).toEqual({ inFlight: 2, waiting: 2, peakInFlight: 2 })
    releases[0]?.()
    await expect(runs[0]).rejects.toThrow('replay failed')
    await expect.poll(() => started).toEqual([0, 1, 2])
    for (let n = 1; n < 4; n++) {
      await expect.poll(() => releases.length).toBeGreaterThan(n)
      releases[n]?.()
    }
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3])
    expect(gate.status()).toEqual({ inFlight: 0, waiting: 0, peakInFlight: 2 })
  })
})

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function start(broker: MemoryBrokerOptions): Promise<Server> {
  const channelRules = [{ channel: 'room', subscribe: 'everyone', publish: 'everyone' } as const, { channel: 'private_*', subscribe: 'everyone', publish: 'everyone' } as const]
  const server = await startServer({ log: silentLog, allowAnonymous: true, channelRules, broker: new MemoryBroker(broker) })
  servers.push(server)
  return server
}

const ID = /^(\d+-\d+) /
const idOf = (frame: string | undefined) => ID.exec(frame ?? '')?.[1] ?? ''
const hello = (frame: string | undefined) => JSON.parse((frame ?? '').slice(1)) as { type: string; last: string }
const resuming = (channel: string, name: string, since?: string) => ({ channel, sb: '1', sb_session: `session-${name}`, ...(since ? { sb_since: since } : {}) })

describe('bounded history and replays through sockets (memory)', () => {
  it('keeps history bounded under many private channels; an evicted reader gets a gap; a bystander is delivered and replayable', async () => {
    const server = await start({ history: { maxBytes: 64 * 1024, maxChannels: 20 } })
    const reader = await peer(server.url, resuming('private_0', 'reader'))
    await reader.received(1)
    const writer = await peer(server.url, { channel: 'room' })
    writer.send(`private_0:{"n":0}`)
    await reader.received(2)
    const since = idOf(reader.frames[1])
    reader.ws.terminate()
    // Many made-up private channels, each with one 4 KB message.
    for (let k = 1; k <= 60; k++) writer.send(`private_${k}:{"pad":"${'y'.repeat(4096)}"}`)
    const bystander = await peer(server.url, resuming('room', 'bystander'))
    await bystander.received(1)
    writer.send('room:{"fresh":true}')
    await writer.receivedFrame('room:{"fresh":true}')
    await bystander.received(2)
    expect(bystander.frames[1]).toMatch(/^\d+-\d+ room:\{"fresh":true\}$/)
    const status = (await (await fetch(`${server.url}/status`)).json()) as { broker: { history: { bytes: number; channels: number } } }
    expect(status.broker.history.bytes).toBeLessThanOrEqual(64 * 1024)
    expect(status.broker.history.channels).toBeLessThanOrEqual(20)
    const back = await peer(server.url, resuming('private_0', 'reader', since))
    const [first, gap] = await back.received(2)
    expect(gap).toBe(`:{"type":"gap","since":"${since}","last":"${hello(first).last}"}`)
    // The bystander's message is still in history: a reader who had missed it gets it.
    const late = await peer(server.url, resuming('room', 'late', '0-0'))
    await late.receivedFrame(bystander.frames[1] ?? '')
  })

  it('replays at most replay.maxMessages to a reader asking for everything (sb_since=0-0), the rest as a gap', async () => {
    const server = await start({ replay: { maxMessages: 5 } })
    const talker = await peer(server.url, { channel: 'room' })
    const watcher = await peer(server.url, resuming('room', 'watcher'))
    await watcher.received(1)
    for (let n = 1; n <= 20; n++) talker.send(`room:{"n":${n}}`)
    const all = await watcher.received(21)
    const ids = all.slice(1).map(idOf)
    const greedy = await Promise.all([1, 2, 3].map((n) => peer(server.url, resuming('room', `greedy-${n}`, '0-0'))))
    for (const socket of greedy) {
      const frames = await socket.received(7)
      expect(hello(frames[0]).last).toBe(ids[14])
      expect(frames[1]).toBe(`:{"type":"gap","since":"0-0","last":"${ids[14]}"}`)
      expect(frames.slice(2).map((f) => f.replace(ID, ''))).toEqual([16, 17, 18, 19, 20].map((n) => `room:{"n":${n}}`))
    }
    // Meanwhile, and after, live messages reach everyone.
    talker.send('room:{"n":21}')
    for (const socket of [watcher, ...greedy]) await expect.poll(() => socket.frames.filter((f) => f.endsWith('room:{"n":21}')).length).toBe(1)
  })
})
