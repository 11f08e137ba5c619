import { createClient as createRedisClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { CONTROL_CHANNEL, RedisBackend, silentLog, startServer } from '../src/index.js'
import type { Experiment, ExperimentApi, RedisBackendOptions, Server } from '../src/index.js'
import { startRedis } from './redis-server.js'
import { redisSuite } from './redis-suite.js'
import { newParticipant, peer } from './ws-peer.js'
import type { Peer } from './ws-peer.js'

const suite = redisSuite()
const { cleanups } = suite

const BROADCAST_CHANNEL = 'broadcast_channel'
const privateChannel = (id: string) => `participant_${id}_channel`

/** Two server processes on one Redis; the first runs `experiment`, when one is given. */
async function cluster(options: RedisBackendOptions = {}, experiment?: Experiment): Promise<Server[]> {
  await suite.flush()
  const servers: Server[] = []
  for (const runExperiment of [true, false]) {
    const backend = await RedisBackend.connect(suite.redis.url, silentLog, options)
    const server = await startServer({ log: silentLog, broker: backend, state: backend, ...(experiment ? { experiment, runExperiment } : {}) })
    cleanups.push(() => server.close())
    servers.push(server)
  }
  return servers
}

/** Sends `frame` from `sender` until `listener` has it: a socket's subscription completes after it opens. */
async function getsThrough(sender: Peer, listener: Peer, frame: string): Promise<void> {
  await expect
    .poll(
      () => {
        if (!listener.frames.includes(frame)) sender.send(frame)
        return listener.frames.includes(frame)
      },
      { timeout: 10_000, interval: 250 },
    )
    .toBe(true)
}

/** Answers each message on its channel with an echo to the sender's private channel, and records control events. */
function echoExperiment() {
  const seen: string[] = []
  let api: ExperimentApi | undefined
  const experiment: Experiment = {
    channel: 'experiment_channel',
    start: (given) => (api = given),
    receiveMessage(message, { channel, participantId }) {
      if (channel === CONTROL_CHANNEL) return void seen.push(`${String(message.event)} ${participantId}`)
      if (participantId !== null) api?.publishToSubscribers({ echo: message.text }, privateChannel(participantId))
    },
  }
  return { experiment, seen }
}

describe('several processes on one Redis', () => {
  it('runs the experiment on one process: it hears sockets of every process and reaches them', async () => {
    const { experiment, seen } = echoExperiment()
    const [first, second] = await cluster({}, experiment)
    if (!first || !second) throw new Error('two servers expected')
    const a = await newParticipant(second.url)
    const inbox = await peer(second.url, a.query(privateChannel(a.id)))
    // The second process runs no experiment, yet its socket's control events reach the first.
    await expect.poll(() => seen).toContain(`connected ${a.id}`)
    inbox.send(`experiment_channel:{"text":"ping","sender":"${a.id}"}`)
    await inbox.receivedFrame(`${privateChannel(a.id)}:{"echo":"ping"}`)
    // No sender in the payload: the experiment, on the other process, still knows whose socket sent it.
    inbox.send('experiment_channel:{"text":"anonymous?"}')
    await inbox.receivedFrame(`${privateChannel(a.id)}:{"echo":"anonymous?"}`)
    const status = (await (await fetch(`${second.url}/status`)).json()) as { experiment: boolean }
    expect(status.experiment).toBe(false)
  })

  it('subscribes once per channel per process and unsubscribes when the last local socket leaves', async () => {
    const [first, second] = await cluster()
    if (!first || !second) throw new Error('two servers expected')
    const probe = createRedisClient({ url: suite.redis.url })
    await probe.connect()
    cleanups.push(() => probe.quit())
    const subscribers = async () => Number((await probe.pubSubNumSub(['broadcast_channel']))['broadcast_channel'])
    const a = await newParticipant(first.url)
    const sockets = [await peer(first.url, a.query(BROADCAST_CHANNEL)), await peer(first.url, a.query(BROADCAST_CHANNEL)), await peer(second.url, a.query(BROADCAST_CHANNEL))]
    expect(await subscribers()).toBe(2)
    for (const socket of sockets.slice(0, 2)) socket.ws.close()
    await expect.poll(subscribers).toBe(1)
  })

  it('delivers once, and keeps delivering, when a channel is subscribed again before Redis confirmed its unsubscribe', async () => {
    const backend = await RedisBackend.connect(suite.redis.url, silentLog)
    cleanups.push(() => backend.close())
    const publisher = createRedisClient({ url: suite.redis.url })
    await publisher.connect()
    cleanups.push(() => publisher.quit())
    const first: string[] = []
    const second: string[] = []
    const stop = await backend.subscribe('flapping', (data) => first.push(data))
    // The last local listener leaves and a new one comes at once, as when every socket drops and one reconnects.
    stop()
    await backend.subscribe('flapping', (data) => second.push(data))
    for (const n of [1, 2, 3]) {
      await publisher.publish('flapping', `m${n}`)
      await expect.poll(() => second).toEqual(Array.from({ length: n }, (_, i) => `m${i + 1}`))
    }
    expect(first).toEqual([])
  })

  it('survives a Redis that restarts empty: relays again, refuses the lost participants with 4410 everywhere, and never gives out their ids again', async () => {
    const [first, second] = await cluster()
    if (!first || !second) throw new Error('two servers expected')
    const a = await newParticipant(first.url)
    const listener = await peer(first.url, a.query(BROADCAST_CHANNEL))
    const sender = await peer(second.url, a.query(privateChannel(a.id)))
    // Both sockets are admitted (subscribed through Redis) before Redis goes away.
    await getsThrough(sender, listener, `broadcast_channel:{"type":"chat","text":"before the restart","sender":${a.id}}`)

    await suite.redis.stop()
    await expect.poll(() => first.broker.status().connected).toBe(false)
    // The server stays up while Redis is away.
    expect((await fetch(`${first.url}/status`)).status).toBe(200)
    await suite.redis.start()
    await expect.poll(() => first.broker.status().connected, { timeout: 10_000 }).toBe(true)
    await expect.poll(() => second.broker.status().connected, { timeout: 10_000 }).toBe(true)
    expect(first.broker.status()).toMatchObject({ outages: 1, lastOutage: { channels: expect.any(Number) } })

    // Redis forgot participant a: both processes say so, on the open sockets and on new ones.
    for (const socket of [listener, sender]) expect(await socket.closed).toMatchObject({ code: 4410 })
    for (const server of [first, second]) {
      const again = await peer(server.url, a.query(BROADCAST_CHANNEL))
      expect(await again.closed).toMatchObject({ code: 4410, reason: expect.stringContaining('start again') })
    }
    // Both processes agree on the new state: a newcomer gets a new id, and its credential works on either.
    const b = await newParticipant(second.url)
    expect(Number(b.id)).toBeGreaterThan(Number(a.id))
    const newListener = await peer(first.url, b.query(BROADCAST_CHANNEL))
    const newSender = await peer(second.url, b.query(privateChannel(b.id)))
    await getsThrough(newSender, newListener, `broadcast_channel:{"type":"chat","text":"after the restart","sender":${b.id}}`)
    const status = (await (await fetch(`${first.url}/status`)).json()) as { epoch: number; broker: { outages: number } }
    expect(status.broker.outages).toBe(1)
    expect(status.epoch).toBe(second.credentials.epochMs)
  })

  it('with a Redis that persists, a restart loses nobody: the same credentials work, ids go on upward, history resumes', async () => {
    const persistent = await startRedis({ persistent: true })
    cleanups.push(() => persistent.stop())
    const backend = await RedisBackend.connect(persistent.url, silentLog)
    const server = await startServer({ log: silentLog, broker: backend, state: backend })
    cleanups.push(() => server.close())
    const a = await newParticipant(server.url)
    const resuming = { ...a.query(BROADCAST_CHANNEL), sb: '1', sb_session: 'persisted-session' }
    const before = await peer(server.url, resuming)
    before.send(`broadcast_channel:{"text":"kept","sender":${a.id}}`)
    await expect.poll(() => before.frames.some((frame) => frame.includes('"kept"'))).toBe(true)
    const seen = before.frames.find((frame) => frame.includes('"kept"')) ?? ''
    const since = /^(\d+-\d+) /.exec(seen)?.[1]
    before.ws.terminate()

    await persistent.stop()
    await persistent.start()
    await expect.poll(() => server.broker.status().connected, { timeout: 10_000 }).toBe(true)
    const after = await peer(server.url, { ...resuming, ...(since ? { sb_since: since } : {}) })
    // Admitted (no 4410), and its own message is in the history it resumes from.
    const other = await peer(server.url, { ...a.query(BROADCAST_CHANNEL), sb: '1', sb_session: 'another-session', sb_since: '0-0' })
    await expect.poll(() => other.frames.some((frame) => frame.includes('"kept"'))).toBe(true)
    expect(after.ws.readyState).toBe(after.ws.OPEN)
    // After a reconnect, ids start at the clock (Redis might have come back from an older snapshot).
    expect(Number((await newParticipant(server.url)).id)).toBeGreaterThan(Number(a.id))
  })

  it('resumes on any process from the shared history, drops re-sent messages across processes, and reports gaps', async () => {
    const [first, second] = await cluster({ history: { maxMessages: 3 } })
    if (!first || !second) throw new Error('two servers expected')
    const a = await newParticipant(first.url)
    const resuming = (server: Server, extra: Record<string, string>) => peer(server.url, { ...a.query(BROADCAST_CHANNEL), sb: '1', sb_session: 'tab-one-session', ...extra })
    const ID = /^(\d+-\d+) /
    const plain = await peer(second.url, a.query(BROADCAST_CHANNEL))
    await getsThrough(plain, plain, 'broadcast_channel:{"probe":true}')

    // Sent on the first process and acknowledged; the ack is lost with the socket, so the client re-sends on the second.
    const sender = await resuming(first, { sb_seq: '1' })
    await sender.received(1)
    sender.send('broadcast_channel:{"n":1}')
    await sender.receivedFrame(':{"type":"ack","seq":1}')
    const since = ID.exec(sender.frames.find((f) => ID.test(f)) ?? '')?.[1] ?? ''
    sender.ws.terminate()
    const again = await resuming(second, { sb_seq: '1', sb_since: since })
    again.send('broadcast_channel:{"n":1}')
    again.send('broadcast_channel:{"n":2}')
    await again.receivedFrame(':{"type":"ack","seq":2}')
    expect(again.frames).toContain(':{"type":"ack","seq":1}')
    await plain.receivedFrame('broadcast_channel:{"n":2}')
    expect(plain.frames.filter((f) => f === 'broadcast_channel:{"n":1}')).toHaveLength(1)
    again.ws.terminate()

    // A message published straight into Redis (as a Dallinger process would) reaches plain sockets
    // verbatim and resuming sockets without an id; it is not in the history.
    const direct = createRedisClient({ url: suite.redis.url })
    await direct.connect()
    cleanups.push(() => direct.quit())
    const live = await resuming(first, {})
    await live.received(1)
    await direct.publish(BROADCAST_CHANNEL, '{"from":"dallinger"}')
    await live.receivedFrame('broadcast_channel:{"from":"dallinger"}')
    await plain.receivedFrame('broadcast_channel:{"from":"dallinger"}')

    // Five more while the reader is away: history holds three, the rest is a gap.
    for (const n of [3, 4, 5, 6, 7]) plain.send(`broadcast_channel:{"n":${n}}`)
    await plain.receivedFrame('broadcast_channel:{"n":7}')
    const back = await resuming(first, { sb_since: since, sb_seq: '3' })
    const frames = await back.received(5)
    expect(frames[1]).toMatch(new RegExp(`^:\\{"type":"gap","since":"${since}","last":"\\d+-\\d+"\\}$`))
    expect(frames.slice(2).map((f) => f.replace(ID, ''))).toEqual([5, 6, 7].map((n) => `broadcast_channel:{"n":${n}}`))
  })

  it('reports a gap to a reader resuming after Redis lost its data, even once new messages came', async () => {
    const [first] = await cluster()
    if (!first) throw new Error('a server expected')
    const a = await newParticipant(first.url)
    const resuming = (extra: Record<string, string>) => peer(first.url, { ...a.query(BROADCAST_CHANNEL), sb: '1', sb_session: 'reader-session', ...extra })
    const reader = await resuming({})
    await reader.received(1)
    reader.send('broadcast_channel:{"n":1}')
    await reader.receivedFrame(':{"type":"ack","seq":1}')
    await expect.poll(() => reader.frames.some((f) => /^\d/.test(f))).toBe(true)
    const since = /^(\d+-\d+) /.exec(reader.frames.find((f) => /^\d/.test(f)) ?? '')?.[1] ?? ''
    reader.ws.terminate()
    // What a Redis restart without persistence does to history (participants are kept, so the credential still works).
    const admin = createRedisClient({ url: suite.redis.url })
    await admin.connect()
    cleanups.push(() => admin.quit())
    await admin.del([`switchboard:history:${BROADCAST_CHANNEL}`, `switchboard:dropped:${BROADCAST_CHANNEL}`, 'switchboard:epoch'])
    const talker = await peer(first.url, a.query(BROADCAST_CHANNEL))
    talker.send('broadcast_channel:{"n":"after the loss"}')
    await talker.receivedFrame('broadcast_channel:{"n":"after the loss"}')
    const back = await resuming({ sb_since: since, sb_seq: '2' })
    const [hello, gap] = await back.received(2)
    const last = (JSON.parse((hello ?? '').slice(1)) as { last: string }).last
    expect(gap).toBe(`:{"type":"gap","since":"${since}","last":"${last}"}`)
    await expect.poll(() => back.frames.some((f) => f.endsWith('broadcast_channel:{"n":"after the loss"}'))).toBe(true)
  })
})
