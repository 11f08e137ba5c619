import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { CHANNEL_PRESETS, silentLog, startServer } from '../src/index.js'
import { newParticipant, peer } from './ws-peer.js'
import type { Peer } from './ws-peer.js'

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

/** FUZZ_SEED=… replays a run: the attacks are drawn in the same order (how many fit in RUN_MS depends on the machine). */
const SEED = Number(process.env.FUZZ_SEED ?? 20261121)
const RUN_MS = 3000
const EXPERIMENT_ONLY = ['roster', 'create_chatroom', 'close_chatroom']
const MAX_FRAME_BYTES = 2048
// Small enough that a flood is cut within the run, large enough for the pair: each of them sends one
// frame every 4 rounds of at least 10 ms, at most 25 a second.
const RATE = { framesPerSecond: 40, frameBurst: 20, maxThrottledMs: 250 }
const ROUND_TRIP_MS = 2000

/** The attacks of docs/security.md a socket can make; `random` is the random frames and churn. */
const KINDS = ['random', 'impersonate', 'experiment-only', 'private-read', 'private-write', 'oversized', 'flood', 'replay', 'bad-token'] as const
type Kind = (typeof KINDS)[number]
const WEIGHTS: Record<Kind, number> = { random: 4, impersonate: 2, 'experiment-only': 1, 'private-read': 1, 'private-write': 1, oversized: 1, flood: 0.5, replay: 1, 'bad-token': 1 }

/** What the server must answer: close the socket with `close`, nack `nacks` frames with `nack` and ack `acks`, or say hello (a resume). */
type Verdict = { close: number } | { nack: number; nacks: number; acks: number } | { hello: true }

interface Rogue {
  kind: Kind
  query: Record<string, string>
  verdict?: Verdict
  closeCode?: number
  nacks: number[]
  acks: number
  hello: boolean
  done: boolean
}

describe('fuzz', () => {
  it(`survives random frames, the socket attacks of docs/security.md and connection churn while a pair keeps chatting (seed ${SEED}, ${RUN_MS} ms)`, async () => {
    // All the churn comes from one address, which the per-address limits would stop long before the
    // relay is stressed; those have tests of their own (address-limits.test.ts).
    const server = await startServer({
      log: silentLog,
      limits: { participantsPerMinute: 100_000, socketsPerAddress: 100_000, handshakesPerAddress: 100_000, maxFrameBytes: MAX_FRAME_BYTES, ...RATE },
      channelRules: [{ channel: 'broadcast_channel', subscribe: 'everyone', publish: 'everyone', experimentOnly: EXPERIMENT_ONLY }, ...CHANNEL_PRESETS.standard.slice(1)],
    })
    const random = seeded(SEED)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
    const chance = (p: number) => random() < p
    const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1))
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)))
    const totalWeight = KINDS.reduce((sum, kind) => sum + WEIGHTS[kind], 0)
    const pickKind = (): Kind => {
      let r = random() * totalWeight
      for (const kind of KINDS) if ((r -= WEIGHTS[kind]) < 0) return kind
      return 'random'
    }

    // The honest participants: a pair chatting on the broadcast channel, each also on its private
    // channel and in a room of their own, where nobody else may read or write.
    const alice = await newParticipant(server.url)
    const bob = await newParticipant(server.url)
    await server.rooms.set('room_1', [alice.id, bob.id])
    const a = await peer(server.url, alice.query('broadcast_channel'))
    const b = await peer(server.url, bob.query('broadcast_channel'))
    const quiet: Array<[string, Peer]> = []
    for (const who of [alice, bob]) {
      for (const channel of [`participant_${who.id}_channel`, 'room_1']) quiet.push([`${channel} of ${who.id}`, await peer(server.url, who.query(channel))])
    }
    const honest = [alice.id, bob.id]
    const chat = (p: { frames: string[] }) => p.frames.filter((f) => f.includes('"pair"'))

    // Round trips: from the send to the moment both of the pair have the message.
    const sentAt: number[] = []
    const arrived = [new Map<number, number>(), new Map<number, number>()]
    ;[a, b].forEach((p, i) =>
      p.ws.on('message', (data) => {
        const match = /^broadcast_channel:\{"pair":(\d+)\}$/.exec(data.toString())
        if (match) arrived[i]?.set(Number(match[1]), Date.now())
      }),
    )

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

    const wsUrl = server.url.replace('http', 'ws')
    const rogues: Rogue[] = []
    const attackers: string[] = []
    const closedBy = new Map<number, number>()
    const nackedBy = new Map<number, number>()
    const count = (map: Map<number, number>, code: number) => map.set(code, (map.get(code) ?? 0) + 1)
    let framesSent = 0
    let ownSent = 0

    /** Opens a hostile socket that sends `toSend` once open; without a verdict to wait for, it hangs up at `hangUp`. */
    const launch = (kind: Kind, query: Record<string, string>, toSend: Array<[string | Buffer, boolean]>, verdict?: Verdict, hangUp?: 'terminate' | number) => {
      const rogue: Rogue = { kind, query, ...(verdict ? { verdict } : {}), nacks: [], acks: 0, hello: false, done: false }
      rogues.push(rogue)
      const ws = new WebSocket(`${wsUrl}/chat?${new URLSearchParams(query)}`)
      const settled = () =>
        verdict !== undefined && (('hello' in verdict && rogue.hello) || ('nack' in verdict && rogue.nacks.length + rogue.acks >= verdict.nacks + verdict.acks))
      ws.on('error', () => {})
      ws.on('message', (data) => {
        const text = data.toString()
        if (!text.startsWith(':')) return
        const frame = JSON.parse(text.slice(1)) as { type: string; code?: number }
        if (frame.type === 'hello') rogue.hello = true
        if (frame.type === 'ack') rogue.acks += 1
        if (frame.type === 'nack') {
          rogue.nacks.push(frame.code ?? 0)
          count(nackedBy, frame.code ?? 0)
        }
        if (settled()) ws.close()
      })
      ws.on('close', (code) => {
        rogue.closeCode = code
        rogue.done = true
        if (code !== 1005 && code !== 1006) count(closedBy, code)
      })
      ws.on('open', () => {
        for (const [frame, binary] of toSend) {
          framesSent += 1
          if (ws.readyState === WebSocket.OPEN) ws.send(frame, { binary })
        }
        if (verdict === undefined) {
          if (hangUp === 'terminate') ws.terminate()
          else setTimeout(() => ws.close(), hangUp ?? 0)
        } else if (settled()) ws.close()
      })
    }

    /** Someone other than `me`: one of the pair, another attacker, or an id nobody has. */
    const victimOf = (me: string): string | number => {
      const victim = pick([...honest, ...honest, attackers.at(-2) ?? alice.id, '0', String(Number(me) + 1), '-1'].filter((id) => id !== me))
      return chance(0.5) ? victim : Number(victim)
    }
    const resuming = (query: Record<string, string>, n: number) => ({ ...query, sb: '1', sb_session: `fuzz-session-${n}`, sb_seq: '1' })

    /** Draws one attack from the seeded generator and launches it. */
    const attack = async (n: number) => {
      const kind = pickKind()
      const credentialed = kind !== 'random' || chance(0.5)
      const who = credentialed ? await newParticipant(server.url) : undefined
      if (who) attackers.push(who.id)
      const resume = chance(0.4)
      switch (kind) {
        case 'random': {
          // Half of them on a channel they may read, so that the frames, not the admission, get refused.
          const channel = who && chance(0.5) ? pick(['broadcast_channel', `participant_${who.id}_channel`]) : pick(channels)
          const query = { channel, ...(who ? { participant_id: who.id, token: chance(0.8) ? who.token : 'bad' } : {}), ...pick(resumeParams) }
          const toSend = Array.from({ length: between(1, 8) }, () => pick(frames)())
          return launch(kind, query, toSend, undefined, chance(0.5) ? 'terminate' : random() * 50)
        }
        case 'impersonate': {
          // Someone else's id as sender or participant_id, on the broadcast channel or to the experiment;
          // now and then after a frame that claims, rightly, the attacker's own id, which passes.
          const me = who!.id
          const toSend: Array<[string, boolean]> = []
          const own = chance(0.5)
          if (own) ownSent += 1
          if (own) toSend.push([`broadcast_channel:${JSON.stringify({ type: 'chat', text: 'mine', [pick(['sender', 'participant_id'])]: chance(0.5) ? me : Number(me) })}`, false])
          const forged = resume ? between(1, 3) : 1
          for (let i = 0; i < forged; i++) {
            const channel = pick(['broadcast_channel', 'broadcast_channel', 'experiment_channel'])
            const claim = { [pick(['sender', 'participant_id'])]: victimOf(me) }
            toSend.push([`${channel}:${JSON.stringify({ type: pick(['chat', 'whisper']), text: 'forged', ...claim, recipient: pick(honest), forge: kind })}`, false])
          }
          const query = resume ? resuming(who!.query('broadcast_channel'), n) : who!.query(pick(['broadcast_channel', `participant_${me}_channel`]))
          return launch(kind, query, toSend, resume ? { nack: 4403, nacks: forged, acks: own ? 1 : 0 } : { close: 4403 })
        }
        case 'experiment-only': {
          const type = pick(EXPERIMENT_ONLY)
          const body = type === 'roster' ? { participants: honest } : { room: pick(['room_1', `participant_${pick(honest)}_channel`, 'dallinger_control']), members: honest }
          const frame = `broadcast_channel:${JSON.stringify({ type, ...body, ...(chance(0.3) ? { sender: who!.id } : {}), forge: kind })}`
          const toSend: Array<[string, boolean]> = Array.from({ length: resume ? between(1, 3) : 1 }, () => [frame, false])
          const query = resume ? resuming(who!.query('broadcast_channel'), n) : who!.query('broadcast_channel')
          return launch(kind, query, toSend, resume ? { nack: 4403, nacks: toSend.length, acks: 0 } : { close: 4403 })
        }
        case 'private-read': {
          const channel = pick([`participant_${pick(honest)}_channel`, `participant_${victimOf(who!.id)}_channel`, 'dallinger_control', 'room_1', 'experiment_channel'])
          const query = resume ? resuming(who!.query(channel), n) : who!.query(channel)
          return launch(kind, query, [], { close: 4403 })
        }
        case 'private-write': {
          const target = pick([`participant_${pick(honest)}_channel`, `participant_${victimOf(who!.id)}_channel`, 'dallinger_control', 'room_1'])
          const toSend: Array<[string, boolean]> = [[`${target}:${JSON.stringify({ type: 'chat', text: 'forged', forge: kind })}`, false]]
          const from = pick(['broadcast_channel', `participant_${who!.id}_channel`])
          const query = resume ? resuming(who!.query(from), n) : who!.query(from)
          return launch(kind, query, toSend, resume ? { nack: 4403, nacks: 1, acks: 0 } : { close: 4403 })
        }
        case 'oversized': {
          const frame = `broadcast_channel:${JSON.stringify({ forge: kind, pad: 'x'.repeat(chance(0.5) ? between(MAX_FRAME_BYTES, 4 * MAX_FRAME_BYTES - 100) : between(4 * MAX_FRAME_BYTES, 12 * MAX_FRAME_BYTES)) })}`
          const query = resume ? resuming(who!.query('broadcast_channel'), n) : who!.query('broadcast_channel')
          // Up to 4 × the limit the frame is read and refused; past that, ws closes every socket.
          const verdict = resume && Buffer.byteLength(frame) <= 4 * MAX_FRAME_BYTES ? { nack: 1009, nacks: 1, acks: 0 } : { close: 1009 }
          return launch(kind, query, [[frame, false]], verdict)
        }
        case 'flood': {
          // Far past the burst: the backlog takes seconds to drain at the rate, so the socket is cut.
          const toSend: Array<[string, boolean]> = Array.from({ length: between(4, 8) * RATE.frameBurst }, (_, i) => [`broadcast_channel:{"flood":${i}}`, false])
          return launch(kind, who!.query('broadcast_channel'), toSend, { close: 1008 })
        }
        case 'replay': {
          const query = { ...who!.query(pick(['broadcast_channel', `participant_${who!.id}_channel`])), sb: '1', sb_session: `replay-session-${n}`, sb_since: '0-0', ...(chance(0.5) ? { sb_seq: '1' } : {}) }
          return launch(kind, query, [], { hello: true })
        }
        case 'bad-token': {
          const victim = pick([who!, who!, alice, bob])
          const token = victim.token
          const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
          const forged = pick([
            `${token}=`,
            `${token}==`,
            Buffer.from(token, 'base64url').toString('base64'),
            flipped,
            token.slice(0, -2),
            ` ${token}`,
            token.replace(/[A-Za-z]/, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())),
            victim === who ? alice.token : who!.token, // a real token, of someone else
          ])
          const query = { channel: pick(['broadcast_channel', `participant_${victim.id}_channel`]), participant_id: victim.id, token: forged, ...(resume ? { sb: '1', sb_session: `forged-session-${n}` } : {}) }
          return launch(kind, query, [[`broadcast_channel:${JSON.stringify({ text: 'forged', forge: kind })}`, false]], { close: 4401 })
        }
      }
    }

    const deadline = Date.now() + RUN_MS
    let sent = 0
    for (let round = 0; Date.now() < deadline; round++) {
      await attack(round)
      if (round % 2 === 0) {
        const from = sent % 2 === 0 ? a : b
        sentAt[sent] = Date.now()
        from.send(`broadcast_channel:{"pair":${sent}}`)
        sent += 1
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }

    const expected = Array.from({ length: sent }, (_, n) => `broadcast_channel:{"pair":${n}}`)
    await expect.poll(() => chat(a).length, { timeout: 10_000 }).toBe(sent)
    await expect.poll(() => chat(b).length, { timeout: 10_000 }).toBe(sent)
    expect(chat(a)).toEqual(expected)
    expect(chat(b)).toEqual(expected)
    // The impersonators' frames in their own name went through, before the forged ones were refused.
    await expect.poll(() => a.frames.filter((f) => f.includes('"text":"mine"')).length, { timeout: 10_000 }).toBe(ownSent)

    // Every targeted attack got the answer docs/security.md promises.
    await expect.poll(() => rogues.filter((r) => r.verdict && !r.done).map((r) => r.kind), { timeout: 10_000 }).toEqual([])
    const wrong = rogues.filter((r) => {
      const v = r.verdict
      if (!v) return false
      if ('close' in v) return r.closeCode !== v.close
      if ('nack' in v) return r.nacks.length !== v.nacks || r.acks !== v.acks || r.nacks.some((code) => code !== v.nack)
      return !r.hello
    })
    expect(wrong.map(({ kind, query, verdict, closeCode, nacks, acks }) => ({ kind, query, verdict, closeCode, nacks, acks }))).toEqual([])

    // No honest socket ever got a forged frame: nothing on a channel it did not subscribe to, nothing
    // marked forged, no experiment-only type, no claim to be one of the pair (who never claim).
    const forgedIn = (channel: string, frame: string) => {
      if (!frame.startsWith(`${channel}:`)) return true
      const payload = frame.slice(channel.length + 1)
      if (payload.includes('"forge"')) return true
      let message: unknown
      try {
        message = JSON.parse(payload)
      } catch {
        return false
      }
      if (typeof message !== 'object' || message === null) return false
      const { type, sender, participant_id } = message as Record<string, unknown>
      return EXPERIMENT_ONLY.includes(type as string) || [sender, participant_id].some((id) => id !== undefined && honest.includes(String(id)))
    }
    expect([...a.frames, ...b.frames].filter((f) => forgedIn('broadcast_channel', f))).toEqual([])
    for (const [name, socket] of quiet) expect(socket.frames, name).toEqual([])

    const trips = sentAt.map((at, n) => Math.max(arrived[0]?.get(n) ?? Infinity, arrived[1]?.get(n) ?? Infinity) - at)
    const slowest = Math.max(...trips)
    expect(trips.filter((ms) => ms >= ROUND_TRIP_MS)).toEqual([])
    expect((await fetch(`${server.url}/participant`, { method: 'POST' })).status).toBe(200)

    const perKind = KINDS.map((kind) => `${kind} ${rogues.filter((r) => r.kind === kind).length}`).join(', ')
    const codes = (map: Map<number, number>) => [...map].sort(([x], [y]) => x - y).map(([code, n]) => `${code}×${n}`).join(' ') || 'none'
    console.log(
      `fuzz seed ${SEED}: ${rogues.length} hostile sockets (${perKind}), ${framesSent} frames; closed by the server: ${codes(closedBy)}; nacks: ${codes(nackedBy)}; ` +
        `the pair exchanged ${sent} messages, none lost, no forged frame received, slowest round trip ${slowest} ms`,
    )
    expect(closedBy.size).toBeGreaterThan(0)
    await server.close()
  }, 30_000)
})
