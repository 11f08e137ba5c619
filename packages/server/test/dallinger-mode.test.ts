// Dallinger mode: the Python side played with raw Redis commands exactly as Dallinger issues them
// (PUBLISH on raw channel names; a subscriber on the experiment's channel and dallinger_control).
// What Python publishes reaches SDK clients on two processes once each, in order, with ids, also
// across a drop of every socket and a restart of one process; history holds each once; what
// participants send reaches Python byte for byte.
import { createClient as createSdk } from '@switchboard/client'
import type { Client, MessageMeta } from '@switchboard/client'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { RedisBackend, silentLog, startServer } from '../src/index.js'
import type { Server } from '../src/index.js'
import { redisSuite } from './redis-suite.js'
import { newParticipant } from './ws-peer.js'

const suite = redisSuite()

/** A Switchboard process in Dallinger mode on the suite's Redis. */
async function dallingerProcess(port = 0): Promise<Server> {
  const backend = await RedisBackend.connect(suite.redis.url, silentLog, { adoptForeign: true })
  const server = await startServer({ log: silentLog, broker: backend, state: backend, channelRules: 'dallinger', port })
  suite.cleanups.push(() => server.close())
  return server
}

/** Python's side: a raw Redis connection that publishes and subscribes as Dallinger does. */
async function python() {
  const publisher = createClient({ url: suite.redis.url })
  const subscriber = publisher.duplicate()
  await Promise.all([publisher.connect(), subscriber.connect()])
  suite.cleanups.push(() => Promise.allSettled([publisher.quit(), subscriber.quit()]))
  return { publisher, subscriber }
}

/** A page's SDK client on `server`'s chat channel, recording every number it is handed, with its id. */
async function page(server: Server) {
  const { id, token } = await newParticipant(server.url)
  const client: Client = createSdk({ url: `${server.url.replace('http', 'ws')}/chat`, WebSocket, identity: { participantId: id }, credential: token, minDelayMs: 50, maxDelayMs: 300 })
  suite.cleanups.push(() => client.close())
  const chat = client.openChannel('chat')
  const got: Array<{ n: number; id: string | undefined }> = []
  chat.onAny((message, meta: MessageMeta) => {
    if (typeof message.n === 'number') got.push({ n: message.n, id: meta.id })
  })
  await chat.ready()
  return { id, client, chat, got, numbers: () => got.map((entry) => entry.n) }
}

const upTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1)

describe('Dallinger mode', () => {
  it('gives what Python publishes raw an id and a place in history once, and every client gets it once, in order, across drops and a restart', async () => {
    await suite.flush()
    let one = await dallingerProcess()
    const two = await dallingerProcess()
    const py = await python()
    const [a, b] = [await page(one), await page(two)]
    const publish = async (from: number, to: number) => {
      for (let n = from; n <= to; n++) await py.publisher.publish('chat', JSON.stringify({ type: 'chat', n }))
    }
    await publish(1, 20)
    for (const p of [a, b]) await expect.poll(() => p.numbers(), { timeout: 10_000 }).toEqual(upTo(20))
    // Each with an id, in id order: adopted, not relayed bare.
    expect(a.got.every((entry) => entry.id !== undefined)).toBe(true)
    expect(a.got.map((entry) => entry.id)).toEqual(b.got.map((entry) => entry.id))

    // Every socket drops while Python goes on: the clients come back and are replayed what they missed.
    one.dropConnections()
    two.dropConnections()
    await publish(21, 40)
    for (const p of [a, b]) await expect.poll(() => p.numbers(), { timeout: 10_000 }).toEqual(upTo(40))

    // The adopting process (the first, which took the lease) restarts: the other takes over at once,
    // since a clean shutdown lets the lease go. Its client comes back when it is on its port again.
    expect(one.broker.status().adoption?.adopter).toBe(true)
    const port = one.port
    await one.close()
    await publish(41, 50)
    one = await dallingerProcess(port)
    await publish(51, 60)
    for (const p of [a, b]) await expect.poll(() => p.numbers(), { timeout: 15_000, message: `a ${a.numbers().length} b ${b.numbers().length}: ${JSON.stringify([one, two].map((server) => server.broker.status().adoption))}` }).toEqual(upTo(60))

    // History holds each of Python's messages once, however many processes saw it.
    const history = await py.publisher.xRange('switchboard:history:chat', '-', '+')
    const inHistory = history.map(({ message }) => (JSON.parse(message.d ?? '{}') as { n: number }).n)
    expect(inHistory).toEqual(upTo(60))
    const adoption = [one, two].map((server) => server.broker.status().adoption)
    expect(adoption.filter((status) => status?.adopter).length).toBe(1)
    expect(adoption.reduce((sum, status) => sum + (status?.unadopted ?? 0), 0)).toBe(0)
  }, 60_000)

  it('hands Python what a participant sends exactly as Dallinger’s /chat would: a raw PUBLISH on the raw channel, byte for byte', async () => {
    await suite.flush()
    const server = await dallingerProcess()
    const py = await python()
    const heard: Array<[string, string]> = []
    await py.subscriber.subscribe(['experiment', 'dallinger_control'], (message, channel) => heard.push([channel, message]))
    const p = await page(server)
    const frame = '{"type":"answer","participant_id":' + p.id + ',"value":"\\u00e9 , spaced"}'
    p.chat.sendTo('experiment', JSON.parse(frame) as Record<string, unknown>)
    await expect.poll(() => heard.filter(([channel]) => channel === 'experiment').map(([, message]) => message)).toEqual([JSON.stringify(JSON.parse(frame))])
    // Python's own subscriber sees the connection events as Dallinger's web process writes them.
    expect(heard.filter(([channel]) => channel === 'dallinger_control').map(([, message]) => JSON.parse(message) as { type: string; event: string })).toContainEqual(expect.objectContaining({ type: 'websocket', event: 'connected' }))
  })

  it('delivers Python’s raw publish without an id when no process adopts it (all gone from the lease), never losing it', async () => {
    await suite.flush()
    // A process that is not in Dallinger mode hands raw publishes on as they come.
    const backend = await RedisBackend.connect(suite.redis.url, silentLog)
    const plain = await startServer({ log: silentLog, broker: backend, state: backend, channelRules: 'dallinger' })
    suite.cleanups.push(() => plain.close())
    const py = await python()
    const p = await page(plain)
    await py.publisher.publish('chat', JSON.stringify({ n: 1 }))
    await expect.poll(() => p.got).toEqual([{ n: 1, id: undefined }])
  })
})
