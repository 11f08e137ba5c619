// Who is here, by participant, with a grace period, over processes; and asked for over a resuming socket.
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryBroker, Presence, silentLog, startServer } from '../src/index.js'
import type { PresenceEvent, Server } from '../src/index.js'
import { pingOrClose } from '../src/relay/connection.js'
import type { Connection } from '../src/relay/connection.js'
import { newParticipant, peer } from './ws-peer.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tracker(broker: MemoryBroker, limits = { graceMs: 200, snapshotEveryMs: 50, processTtlMs: 300 }) {
  const presence = new Presence(broker, silentLog, limits)
  await presence.start()
  cleanups.push(() => presence.stop())
  const events: string[] = []
  presence.onEvent((event: PresenceEvent) => events.push(`${event.type} ${event.participant}@${event.channel}`))
  return { presence, events }
}

describe('presence', () => {
  it('counts participants, not sockets: a reconnect within the grace period is no leave, a departure is one leave after it', async () => {
    const { presence, events } = await tracker(new MemoryBroker())
    presence.count('room', '7', 1)
    presence.count('room', '7', 1)
    expect(presence.of('room')).toEqual(['7'])
    // One of its two tabs closes; then the other drops and is back at once.
    presence.count('room', '7', -1)
    presence.count('room', '7', -1)
    presence.count('room', '7', 1)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(events).toEqual(['join 7@room'])
    presence.count('room', '7', -1)
    expect(presence.of('room')).toEqual(['7'])
    await expect.poll(() => events).toEqual(['join 7@room', 'leave 7@room'])
    expect(presence.of('room')).toEqual([])
  })

  it('settles each participant on its own: among many on a channel, only the one that went leaves, after its own grace period', async () => {
    const { presence, events } = await tracker(new MemoryBroker())
    for (let n = 1; n <= 50; n++) presence.count('room', String(n), 1)
    presence.count('lobby', '7', 1)
    expect(presence.of('room')).toEqual(Array.from({ length: 50 }, (_, n) => String(n + 1)))
    expect(presence.counts()).toEqual({ room: 50, lobby: 1 })
    // 3 and 7 go; 3 is back within the grace period; 7 stays in the lobby.
    presence.count('room', '3', -1)
    presence.count('room', '7', -1)
    presence.count('room', '3', 1)
    await expect.poll(() => events.filter((event) => event.startsWith('leave'))).toEqual(['leave 7@room'])
    expect(presence.of('room')).toHaveLength(49)
    expect(presence.qualityOf('7')).toMatchObject({ reconnects: 0 })
    // 3's socket back on the one channel it had opened one on is a reconnect; 7's second channel is not.
    expect(presence.qualityOf('3')).toMatchObject({ reconnects: 1 })
    expect(Object.keys(presence.qualities()).sort()).toEqual(Array.from({ length: 50 }, (_, n) => String(n + 1)).sort())
    // Gone from its last channel, its connection record goes too.
    presence.count('lobby', '7', -1)
    await expect.poll(() => presence.qualityOf('7')).toBeUndefined()
    expect(events.filter((event) => event.startsWith('join'))).toHaveLength(51)
  })

  it('settles only who changed in another process\'s snapshot: one dropped of several leaves, the rest stay', async () => {
    const broker = new MemoryBroker()
    const one = await tracker(broker)
    const two = await tracker(broker)
    for (const participant of ['1', '2', '3']) two.presence.count('room', participant, 1)
    await expect.poll(() => one.presence.of('room')).toEqual(['1', '2', '3'])
    two.presence.count('room', '2', -1)
    await expect.poll(() => one.events).toEqual(['join 1@room', 'join 2@room', 'join 3@room', 'leave 2@room'])
    expect(one.presence.of('room')).toEqual(['1', '3'])
  })

  it('agrees across processes, and drops a process that stops telling (killed) and its participants', async () => {
    const broker = new MemoryBroker()
    const one = await tracker(broker)
    const two = await tracker(broker)
    one.presence.count('room', '7', 1)
    await expect.poll(() => two.presence.of('room')).toEqual(['7'])
    // 7's socket moves from process one to process two: no leave anywhere.
    one.presence.count('room', '7', -1)
    two.presence.count('room', '7', 1)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect([one.events, two.events]).toEqual([['join 7@room'], ['join 7@room']])
    // Process two dies without a word: after its time is up and the grace period, 7 has left for process one.
    two.presence.stop()
    await expect.poll(() => one.events, { timeout: 3000 }).toEqual(['join 7@room', 'leave 7@room'])
  })
})

describe('presence over a resuming socket', () => {
  it('answers a presence request with who is on its channel, then each join and leave', async () => {
    const server: Server = await startServer({ log: silentLog, presence: { graceMs: 200 } })
    cleanups.push(() => server.close())
    const [a, b] = [await newParticipant(server.url), await newParticipant(server.url)]
    const watcher = await peer(server.url, { ...a.query('broadcast_channel'), sb: '1', sb_session: 'presence-watcher' })
    await watcher.received(1)
    watcher.send(':{"type":"presence"}')
    await watcher.receivedFrame(`:{"type":"presence","present":["${a.id}"]}`)
    const other = await peer(server.url, b.query('broadcast_channel'))
    await watcher.receivedFrame(`:{"type":"join","participant":"${b.id}"}`)
    other.ws.close()
    await watcher.receivedFrame(`:{"type":"leave","participant":"${b.id}"}`)
    expect(server.presence.of('broadcast_channel')).toEqual([a.id])
    // A plain socket asking is publishing to channel "", which no rule names.
    const plain = await peer(server.url, b.query('broadcast_channel'))
    plain.send(':{"type":"presence"}')
    expect((await plain.closed).code).toBe(4404)
  })
})

describe('connection quality', () => {
  it('gives each participant its round trip and its reconnects, to the experiment and on GET /status', async () => {
    const server: Server = await startServer({ log: silentLog })
    cleanups.push(() => server.close())
    const a = await newParticipant(server.url)
    const first = await peer(server.url, a.query('broadcast_channel'))
    await expect.poll(() => server.presence.qualityOf(a.id)?.rttMs).toEqual(expect.any(Number))
    expect(server.presence.qualityOf(a.id)).toMatchObject({ reconnects: 0 })
    // The page's socket drops and it comes back; its private channel is a first socket there, not a reconnect.
    first.ws.terminate()
    await peer(server.url, a.query('broadcast_channel'))
    await peer(server.url, a.query(`participant_${a.id}_channel`))
    await expect.poll(() => server.presence.qualityOf(a.id)?.reconnects).toBe(1)
    const status = (await (await fetch(`${server.url}/status`)).json()) as { participants: Record<string, { rttMs: number; reconnects: number }> }
    expect(status.participants[a.id]).toEqual({ rttMs: expect.any(Number), reconnects: 1 })
  })
})

describe('presence is the server\'s own', () => {
  it('cannot be read or forged through its channel, even under the dallinger preset whose rules let any name in', async () => {
    const server: Server = await startServer({ log: silentLog, channelRules: 'dallinger', allowAnonymous: true })
    cleanups.push(() => server.close())
    const reader = await peer(server.url, { channel: 'switchboard:presence', participant_id: '1' })
    expect((await reader.closed).code).toBe(4404)
    // A publish names the text before the first colon: "switchboard" is just another channel.
    const forger = await peer(server.url, { channel: 'switchboard', participant_id: '2' })
    forger.send('switchboard:presence:{"process":"x","channels":{"room":{"666":1}}}')
    await forger.received(1)
    expect(server.presence.of('room')).toEqual([])
  })

  it('a ping round closes only a socket whose ping went unanswered for a whole interval, not one whose first pong is on its way', () => {
    const closes: number[] = []
    const pinged: number[] = []
    const socket = (pingedAt: number | undefined) =>
      ({ pingedAt, throttle: { throttled: false }, ws: { close: (code: number) => closes.push(code), ping: () => pinged.push(1) } }) as unknown as Connection
    const now = Date.now()
    pingOrClose(socket(now - 100), 300)
    expect([closes, pinged]).toEqual([[], []])
    pingOrClose(socket(now - 300), 300)
    expect(closes).toEqual([1008])
    const answered = socket(undefined)
    pingOrClose(answered, 300)
    expect([pinged, answered.pingedAt]).toEqual([[1], expect.any(Number)])
  })
})

