// The session's record: every message once, with the participant bound to its socket, in order; the
// operator's export, which a participant's credential does not open.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareMessageIds } from '@switchboard/client'
import { describe, expect, it } from 'vitest'
import { RedisBackend, silentLog, startServer } from '../src/index.js'
import type { RecordRow, Server } from '../src/index.js'
import { redisSuite } from './redis-suite.js'
import { newParticipant, peer } from './ws-peer.js'

const suite = redisSuite()
const OPERATOR = 'operator-token-for-tests'

async function exported(server: Server, format = ''): Promise<Response> {
  return fetch(`${server.url}/export${format}`, { headers: { authorization: `Bearer ${OPERATOR}` } })
}

describe('the record', () => {
  it('holds every message once, with its sender as the server knows it, and exports as JSON lines and CSV to the operator only', async () => {
    const recordDir = mkdtempSync(join(tmpdir(), 'record-'))
    const server = await startServer({ log: silentLog, recordDir, operatorToken: OPERATOR })
    suite.cleanups.push(() => server.close())
    const [a, b] = [await newParticipant(server.url), await newParticipant(server.url)]
    const [pa, pb] = [await peer(server.url, a.query('broadcast_channel')), await peer(server.url, b.query('broadcast_channel'))]
    for (let n = 1; n <= 5; n++) (n % 2 ? pa : pb).send(`broadcast_channel:{"n":${n},"text":"a, \\"quoted\\" line"}`)
    await pa.received(5)
    const rows = (await (await exported(server)).text()).trim().split('\n').map((line) => JSON.parse(line) as RecordRow)
    const chat = rows.filter((row) => row.kind === 'message' && row.channel === 'broadcast_channel')
    // Each once, with the participant whose socket sent it (odd numbers a's, even b's), in id order.
    expect(chat.map((row) => [JSON.parse(row.payload ?? '{}').n, row.participant]).sort()).toEqual([[1, a.id], [2, b.id], [3, a.id], [4, b.id], [5, a.id]])
    expect(chat.every((row) => /^\d+-\d+$/.test(row.id ?? '') && row.serverTime === Number(row.id?.split('-')[0]))).toBe(true)
    expect(chat.map((row) => row.id)).toEqual(chat.map((row) => row.id).sort((x = '', y = '') => compareMessageIds(x, y)))
    // Presence is in it too: both came to the broadcast channel.
    expect(rows.filter((row) => row.kind === 'join' && row.channel === 'broadcast_channel').map((row) => row.participant).sort()).toEqual([a.id, b.id].sort())
    // Connection events are in it too, from the server itself.
    expect(rows.some((row) => row.channel === 'dallinger_control' && row.participant === null)).toBe(true)
    const csv = await (await exported(server, '?format=csv')).text()
    expect(csv.split('\n')[0]).toBe('kind,serverTime,channel,id,participant,payload')
    const first = chat.find((row) => JSON.parse(row.payload ?? '{}').n === 1)
    expect(csv).toContain(`,broadcast_channel,${first?.id},${a.id},"{""n"":1,""text"":""a, \\""quoted\\"" line""}"`)
    // Nobody else: no token, a participant's credential, or the wrong token.
    for (const authorization of [undefined, `Bearer ${a.token}`, 'Bearer nope']) {
      const refused = await fetch(`${server.url}/export`, { headers: authorization ? { authorization } : {} })
      expect(refused.status).toBe(401)
    }
  })

  it('is off without a folder and a token', async () => {
    const server = await startServer({ log: silentLog })
    suite.cleanups.push(() => server.close())
    expect((await exported(server)).status).toBe(404)
  })

  it('from two processes on Redis is one record: each message once', async () => {
    await suite.flush()
    const recordDir = mkdtempSync(join(tmpdir(), 'record-'))
    const servers: Server[] = []
    for (const runExperiment of [true, false]) {
      const backend = await RedisBackend.connect(suite.redis.url, silentLog)
      const server = await startServer({ log: silentLog, broker: backend, state: backend, recordDir, operatorToken: OPERATOR, runExperiment })
      suite.cleanups.push(() => server.close())
      servers.push(server)
    }
    const [one, two] = servers
    if (!one || !two) throw new Error('two processes')
    const a = await newParticipant(one.url)
    const [pa, pb] = [await peer(one.url, a.query('broadcast_channel')), await peer(two.url, a.query('broadcast_channel'))]
    for (let n = 1; n <= 6; n++) (n % 2 ? pa : pb).send(`broadcast_channel:{"n":${n}}`)
    await expect.poll(() => pa.frames.filter((f) => f.includes('"n"')).length).toBe(6)
    await expect.poll(() => pb.frames.filter((f) => f.includes('"n"')).length).toBe(6)
    await two.close()
    const rows = (await (await exported(one)).text()).trim().split('\n').map((line) => JSON.parse(line) as RecordRow)
    const ns = rows.filter((row) => row.kind === 'message' && row.channel === 'broadcast_channel').map((row) => JSON.parse(row.payload ?? '{}').n as number)
    expect([...ns].sort()).toEqual([1, 2, 3, 4, 5, 6])
  })
})
