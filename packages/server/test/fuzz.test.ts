import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { silentLog, startServer } from '../src/index.js'
import { newParticipant, peer } from './ws-peer.js'

/** mulberry32: the same seed gives the same run. */
function seeded(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SEED = 20261121
const RUN_MS = 3000

describe('fuzz', () => {
  it(`survives random frames and connection churn while a pair keeps chatting (seed ${SEED}, ${RUN_MS} ms)`, async () => {
    // All the churn comes from one address, which the per-address limits would stop long before the
    // relay is stressed; those have tests of their own (address-limits.test.ts).
    const server = await startServer({ log: silentLog, limits: { participantsPerMinute: 100_000, socketsPerAddress: 100_000, handshakesPerAddress: 100_000 } })
    const random = seeded(SEED)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)))
    const channels = ['broadcast_channel', 'experiment_channel', 'dallinger_control', 'participant_1_channel', 'room_1', 'nope', '', ':', 'a:b']
    const frames: Array<() => [string | Buffer, boolean]> = [
      () => ['', false],
      () => ['no colon', false],
      () => [bytes(1 + Math.floor(random() * 64)), true],
      () => [bytes(1 + Math.floor(random() * 64)), false], // usually invalid UTF-8
      () => [`${pick(channels)}:${JSON.stringify({ type: pick(['chat', 'whisper', 'create_chatroom', 'roster']), text: random() })}`, false],
      () => [`${pick(channels)}:${'{'.repeat(Math.floor(random() * 50))}`, false],
      () => [`broadcast_channel:${'x'.repeat(Math.floor(random() * 100_000))}`, false],
    ]

    // Resume parameters (docs/protocol.md), valid or not: none, a fresh session, ids from the past and future, garbage.
    const resumeParams: Array<Record<string, string>> = [
      {},
      { sb: '1', sb_session: 'rogue-session-1' },
      { sb: '1', sb_session: 'rogue-session-1', sb_seq: '1', sb_since: '0-0' },
      { sb: '1', sb_session: 'rogue-session-2', sb_since: '99999999999999-999' },
      { sb: '1', sb_session: 'x', sb_seq: '-3' },
      { sb: '1', sb_session: 'rogue-session-2', sb_since: 'not-an-id' },
    ]

    // The well-behaved pair.
    const alice = await newParticipant(server.url)
    const bob = await newParticipant(server.url)
    const a = await peer(server.url, alice.query('broadcast_channel'))
    const b = await peer(server.url, bob.query('broadcast_channel'))
    const chat = (p: { frames: string[] }) => p.frames.filter((f) => f.includes('"pair"'))

    const stats = { sockets: 0, frames: 0, closedByServer: 0 }
    const wsUrl = server.url.replace('http', 'ws')
    const deadline = Date.now() + RUN_MS
    let sent = 0
    while (Date.now() < deadline) {
      // Connection churn: credentialed or not, any channel, closed at random moments.
      const who = random() < 0.5 ? await newParticipant(server.url) : undefined
      const query = new URLSearchParams({
        channel: pick(channels),
        ...(who ? { participant_id: who.id, token: random() < 0.8 ? who.token : 'bad' } : {}),
        ...pick(resumeParams),
      })
      const rogue = new WebSocket(`${wsUrl}/chat?${query}`)
      stats.sockets += 1
      rogue.on('error', () => {})
      rogue.on('close', (code) => {
        if (code !== 1005 && code !== 1006) stats.closedByServer += 1
      })
      rogue.on('open', () => {
        for (let i = 0; i < 1 + Math.floor(random() * 8); i++) {
          const [frame, binary] = pick(frames)()
          stats.frames += 1
          if (rogue.readyState === WebSocket.OPEN) rogue.send(frame, { binary })
        }
        if (random() < 0.5) rogue.terminate()
        else setTimeout(() => rogue.close(), random() * 50)
      })
      const from = sent % 2 === 0 ? a : b
      from.send(`broadcast_channel:{"pair":${sent}}`)
      sent += 1
      // 10 ms a round: each of the pair sends at most 50 frames a second, within the default rate limit.
      await new Promise((resolve) => setTimeout(resolve, 10))
    }

    const expected = Array.from({ length: sent }, (_, n) => `broadcast_channel:{"pair":${n}}`)
    await expect.poll(() => chat(a).length, { timeout: 10_000 }).toBe(sent)
    await expect.poll(() => chat(b).length, { timeout: 10_000 }).toBe(sent)
    expect(chat(a)).toEqual(expected)
    expect(chat(b)).toEqual(expected)
    expect((await fetch(`${server.url}/participant`, { method: 'POST' })).status).toBe(200)
    console.log(`fuzz: ${stats.sockets} hostile sockets, ${stats.frames} random frames, ${stats.closedByServer} closed by the server; the pair exchanged ${sent} messages, none lost`)
    expect(stats.closedByServer).toBeGreaterThan(0)
    await server.close()
  }, 30_000)
})
