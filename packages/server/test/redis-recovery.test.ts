// After an outage nothing is lost without a word: a process cut off from Redis catches up from
// history, and an experiment restarted on Redis goes on from the last message it was handed.
import { describe, expect, it } from 'vitest'
import { RedisBackend, silentLog, startServer } from '../src/index.js'
import type { Experiment, ExperimentApi, RedisBackendOptions, Server } from '../src/index.js'
import { createClient } from 'redis'
import { cutProxy } from './cut-proxy.js'
import { startRedis } from './redis-server.js'
import { redisSuite } from './redis-suite.js'
import { newParticipant, peer } from './ws-peer.js'

const suite = redisSuite()
const { cleanups } = suite

async function serverOn(url: string, options: RedisBackendOptions = {}, experiment?: Experiment): Promise<Server> {
  const backend = await RedisBackend.connect(url, silentLog, options)
  const server = await startServer({ log: silentLog, broker: backend, state: backend, ...(experiment ? { experiment } : {}) })
  cleanups.push(() => server.close())
  return server
}

const numbers = (frames: string[]) => frames.flatMap((frame) => (/"n":(\d+)/.exec(frame)?.[1] ? [Number(/"n":(\d+)/.exec(frame)?.[1])] : []))

describe('a process cut off from Redis', () => {
  for (const maxMessages of [1000, 3]) {
    it(`hands its sockets what others published meanwhile, from history${maxMessages === 3 ? ', or a gap where history is too short' : ''}`, async () => {
      await suite.flush()
      const proxy = await cutProxy(suite.redis.port)
      cleanups.push(() => proxy.close())
      const cutOff = await serverOn(`redis://127.0.0.1:${proxy.port}`, { history: { maxMessages } })
      const other = await serverOn(suite.redis.url, { history: { maxMessages } })
      const a = await newParticipant(other.url)
      const resuming = await peer(cutOff.url, { ...a.query('broadcast_channel'), sb: '1', sb_session: 'cut-off-reader' })
      const plain = await peer(cutOff.url, a.query('broadcast_channel'))
      const talker = await peer(other.url, a.query('broadcast_channel'))
      const say = (n: number) => talker.send(`broadcast_channel:{"n":${n},"sender":${a.id}}`)
      say(0)
      await expect.poll(() => [numbers(resuming.frames), numbers(plain.frames)]).toEqual([[0], [0]])

      proxy.cut()
      await expect.poll(() => cutOff.broker.status().connected).toBe(false)
      for (let n = 1; n <= 6; n++) say(n)
      await expect.poll(() => numbers(talker.frames).length).toBe(7)
      proxy.heal()
      await expect.poll(() => cutOff.broker.status().connected, { timeout: 10_000 }).toBe(true)
      // Once the catch-up has read history: 7 is then live, whatever history trims.
      await expect.poll(() => cutOff.broker.status().lastOutage?.recovered).toBeDefined()
      say(7)
      if (maxMessages === 1000) {
        // Every message once, in order, on both kinds of socket.
        await expect.poll(() => numbers(resuming.frames)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
        await expect.poll(() => numbers(plain.frames)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
        expect(resuming.frames.some((frame) => frame.includes('"type":"gap"'))).toBe(false)
        await expect.poll(() => cutOff.broker.status().lastOutage).toMatchObject({ recovered: 6, gaps: 0 })
      } else {
        // History keeps the last 3 of the 6 missed (and then 7): the resuming socket is told of the rest, the plain one counted.
        await expect.poll(() => numbers(resuming.frames)).toEqual([0, 4, 5, 6, 7])
        const gap = resuming.frames.find((frame) => frame.includes('"type":"gap"')) ?? ''
        expect(resuming.frames.indexOf(gap)).toBe(resuming.frames.findIndex((frame) => frame.includes('"n":4')) - 1)
        await expect.poll(() => numbers(plain.frames)).toEqual([0, 4, 5, 6, 7])
        const status = (await (await fetch(`${cutOff.url}/status`)).json()) as { plainGaps: number; broker: { lastOutage: { gaps: number } } }
        expect(status).toMatchObject({ plainGaps: 1, broker: { lastOutage: { gaps: 1 } } })
      }
    })
  }
})

describe('an experiment restarted on Redis', () => {
  it('is handed, in order, every participant message sent while it was down, attributed to its sender', async () => {
    await suite.flush()
    const heard: string[] = []
    // Written the documented way: it keeps its api from start(), and has it for every message, a replayed one too.
    const experiment = (): Experiment => {
      let api: ExperimentApi | undefined
      return {
        channel: 'experiment_channel',
        start: (given) => {
          api = given
        },
        receiveMessage: (message, { channel, participantId }) => {
          if (channel === 'experiment_channel') heard.push(`${participantId}:${String(message.n)}${api ? '' : ' (before start)'}`)
        },
      }
    }
    const sockets = await serverOn(suite.redis.url)
    let running = await serverOn(suite.redis.url, {}, experiment())
    const a = await newParticipant(sockets.url)
    const talker = await peer(sockets.url, a.query('broadcast_channel'))
    const say = (n: number) => talker.send(`experiment_channel:{"n":${n}}`)
    say(1)
    await expect.poll(() => heard).toEqual([`${a.id}:1`])
    await running.close()
    for (const n of [2, 3, 4]) say(n)
    // Published (the talker hears its own broadcast after them) while no experiment ran.
    talker.send(`broadcast_channel:{"marker":true,"sender":${a.id}}`)
    await talker.receivedFrame(`broadcast_channel:{"marker":true,"sender":${a.id}}`)
    running = await serverOn(suite.redis.url, {}, experiment())
    say(5)
    await expect.poll(() => heard).toEqual([1, 2, 3, 4, 5].map((n) => `${a.id}:${n}`))
  })
})

describe('identities across Redis restarts', () => {
  it('never gives out an id again, even when Redis comes back from an older snapshot', async () => {
    const redis = await startRedis({ snapshot: true })
    cleanups.push(() => redis.stop())
    const server = await serverOn(redis.url)
    const raw = createClient({ url: redis.url })
    await raw.connect()
    const a = await newParticipant(server.url)
    await raw.sendCommand(['SAVE'])
    await raw.quit()
    const b = await newParticipant(server.url)
    // Killed after the snapshot: it comes back knowing a, not b.
    await redis.stop()
    await redis.start()
    await expect.poll(() => server.broker.status().connected, { timeout: 10_000 }).toBe(true)
    const c = await newParticipant(server.url)
    expect(Number(c.id)).toBeGreaterThan(Number(b.id))
    expect(c.token).not.toBe(b.token)
    expect(Number(b.id)).toBeGreaterThan(Number(a.id))
  })

  it('a process that has not noticed yet that the state began anew asks the client to retry (1013), never refuses it for good', async () => {
    await suite.flush()
    const proxy = await cutProxy(suite.redis.port)
    cleanups.push(() => proxy.close())
    const first = await serverOn(suite.redis.url)
    const lagging = await serverOn(`redis://127.0.0.1:${proxy.port}`)
    proxy.cut()
    await suite.redis.stop()
    await suite.redis.start()
    await expect.poll(() => first.broker.status().connected, { timeout: 10_000 }).toBe(true)
    const fresh = await newParticipant(first.url)
    const early = await peer(lagging.url, fresh.query('broadcast_channel'))
    expect(await early.closed).toMatchObject({ code: 1013 })
    proxy.heal()
    await expect.poll(() => lagging.credentials.epochMs, { timeout: 10_000 }).toBe(first.credentials.epochMs)
    const again = await peer(lagging.url, fresh.query('broadcast_channel'))
    again.send(`broadcast_channel:{"text":"in","sender":${fresh.id}}`)
    await again.receivedFrame(`broadcast_channel:{"text":"in","sender":${fresh.id}}`)
  })
})
