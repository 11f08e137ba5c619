import { createClient } from '@switchboard/client'
import type { Client, Payload } from '@switchboard/client'
import { RedisBackend, silentLog } from '@switchboard/server'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { redisSuite } from '../../server/test/redis-suite.js'
import { newParticipant } from '../../server/test/ws-peer.js'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, privateChannel, startDemoServer } from '../src/index.js'
import type { DemoServer } from '../src/index.js'

const suite = redisSuite()
const { cleanups } = suite

/** Two demo processes on one Redis; the first runs the chat experiment. */
async function cluster(): Promise<DemoServer[]> {
  await suite.flush()
  const servers: DemoServer[] = []
  for (const runExperiment of [true, false]) {
    const backend = await RedisBackend.connect(suite.redis.url, silentLog)
    const server = await startDemoServer({ log: silentLog, broker: backend, state: backend, runExperiment })
    cleanups.push(() => server.close())
    servers.push(server)
  }
  return servers
}

/** A participant on one server, through the SDK, as a page would be. */
async function participantOn(server: DemoServer) {
  const { id, token } = await newParticipant(server.url)
  const client: Client = createClient({ url: `${server.url.replace('http', 'ws')}/chat`, WebSocket, identity: { participantId: id }, credential: token })
  cleanups.push(() => client.close())
  const seen: Record<string, Payload[]> = {}
  const open = (name: string) => {
    const channel = client.openChannel(name)
    seen[name] = []
    channel.onAny((message) => seen[name]?.push(message))
    return channel
  }
  const broadcast = open(BROADCAST_CHANNEL)
  const inbox = open(privateChannel(id))
  await Promise.all([broadcast.ready(), inbox.ready()])
  return { id, client, broadcast, inbox, open, seen }
}

describe('several processes on one Redis', () => {
  it('relays broadcast, room and private messages across processes, and the roster shows everyone', async () => {
    const [first, second] = await cluster()
    if (!first || !second) throw new Error('two servers expected')
    const a = await participantOn(first)
    const b = await participantOn(second)
    // b's process does not run the experiment, yet b is paired and told privately.
    await expect.poll(() => b.seen[privateChannel(b.id)]?.find((m) => m.type === 'assignment')).toMatchObject({ type: 'assignment', partner: a.id, recipient: b.id })
    const room = String(b.seen[privateChannel(b.id)]?.find((m) => m.type === 'assignment')?.room)
    await expect.poll(() => a.seen[BROADCAST_CHANNEL]?.filter((m) => m.type === 'roster').at(-1)).toEqual({ type: 'roster', participants: [a.id, b.id] })

    const roomA = a.open(room)
    const roomB = b.open(room)
    await Promise.all([roomA.ready(), roomB.ready()])
    roomB.send({ type: 'chat', text: 'from process two', sender: b.id })
    a.broadcast.send({ type: 'chat', text: 'hello all', sender: a.id })
    a.inbox.sendTo(EXPERIMENT_CHANNEL, { type: 'whisper', text: 'psst', sender: a.id, recipient: b.id })
    await expect.poll(() => a.seen[room]?.filter((m) => m.type === 'chat').map((m) => m.text)).toEqual(['from process two'])
    // The room's timed round, replayed to its members from the room's start.
    await expect.poll(() => a.seen[room]?.find((m) => m.type === 'round')).toMatchObject({ type: 'round', room })
    await expect.poll(() => b.seen[BROADCAST_CHANNEL]?.filter((m) => m.type === 'chat').map((m) => m.text)).toEqual(['hello all'])
    await expect.poll(() => b.seen[privateChannel(b.id)]?.filter((m) => m.type === 'whisper').map((m) => m.text)).toEqual(['psst'])
  })
})
