// The session's record, in each store (the embedded files and a real PostgreSQL): every message once,
// with the participant bound to its socket, in order, with presence and connection events; one record
// from two processes on Redis; what a process did not write recovered from history; a failing store
// reported, never fatal; the operator's export, which a participant's credential does not open.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { compareMessageIds } from '@switchboard/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStore, PostgresStore, RedisBackend, SessionRecord, silentLog, startServer } from '../src/index.js'
import type { RecordRow, RecordStatus, Server, ServerOptions } from '../src/index.js'
import { startPostgres } from './postgres-server.js'
import type { PostgresServer } from './postgres-server.js'
import { redisSuite } from './redis-suite.js'
import { newParticipant, peer } from './ws-peer.js'

const suite = redisSuite()
const BIN = fileURLToPath(new URL('../bin/switchboard-server.js', import.meta.url))
const run = promisify(execFile)
const OPERATOR = 'operator-token-for-tests'
let postgres: PostgresServer | undefined
beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)
afterAll(() => postgres?.stop())

async function exported(server: Server, format = ''): Promise<Response> {
  return fetch(`${server.url}/export${format}`, { headers: { authorization: `Bearer ${OPERATOR}` } })
}

async function rowsOf(server: Server): Promise<RecordRow[]> {
  const response = await exported(server)
  expect(response.status).toBe(200)
  return (await response.text()).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as RecordRow)
}

const numbered = (rows: RecordRow[], channel = 'broadcast_channel') =>
  rows.filter((row) => row.kind === 'message' && row.channel === channel && (row.payload ?? '').includes('"n"')).map((row) => ({ ...row, n: JSON.parse(row.payload ?? '{}').n as number }))

const inIdOrder = (rows: RecordRow[]) => rows.map((row) => row.id).join() === [...rows].sort((a, b) => compareMessageIds(a.id ?? '', b.id ?? '')).map((row) => row.id).join()

async function status(server: Server): Promise<RecordStatus> {
  return ((await (await fetch(`${server.url}/status`)).json()) as { record: RecordStatus }).record
}

const STORES = [
  { name: 'embedded files', options: (): Partial<ServerOptions> => ({ recordDir: mkdtempSync(join(tmpdir(), 'record-')) }) },
  {
    name: 'PostgreSQL',
    options: (): Partial<ServerOptions> => {
      if (!postgres) throw new Error('postgres is not started')
      return { databaseUrl: postgres.url }
    },
  },
] as const

describe.each(STORES)('the record in $name', ({ name, options }) => {
  const fresh = async () => {
    await suite.flush()
    if (name === 'PostgreSQL') await postgres?.reset()
    return options()
  }

  it('holds every message once, with its sender as the server knows it, in id order, with presence, reconnects and refusals; CSV and JSON lines for the operator only', async () => {
    const server = await startServer({ log: silentLog, ...(await fresh()), operatorToken: OPERATOR, presence: { graceMs: 200 } })
    suite.cleanups.push(() => server.close())
    const [a, b] = [await newParticipant(server.url), await newParticipant(server.url)]
    const [pa, pb] = [await peer(server.url, a.query('broadcast_channel')), await peer(server.url, b.query('broadcast_channel'))]
    for (let n = 1; n <= 6; n++) (n % 2 ? pa : pb).send(`broadcast_channel:{"n":${n},"text":"a, \\"quoted\\" line"}`)
    await pa.received(6)
    // b claims to be a: refused (4403), and not in the record as a message.
    pb.send(`broadcast_channel:{"n":99,"sender":"${a.id}"}`)
    await pb.closed
    // A forged credential: refused at the door (4401).
    const forged = await peer(server.url, { channel: 'broadcast_channel', participant_id: a.id, token: 'forged' })
    expect((await forged.closed).code).toBe(4401)
    // b tries to read a's private channel: refused (4403), in b's name.
    const snoop = await peer(server.url, { ...b.query('broadcast_channel'), channel: `participant_${a.id}_channel` })
    expect((await snoop.closed).code).toBe(4403)
    // A channel name no database text can hold (U+0000): refused, and it stops nothing.
    const nul = await peer(server.url, { ...b.query('broadcast_channel'), channel: 'x\u0000y' })
    expect((await nul.closed).code).toBe(4404)
    // a's socket drops and a comes back: a reconnect.
    pa.ws.terminate()
    const again = await peer(server.url, a.query('broadcast_channel'))
    await expect.poll(async () => (await rowsOf(server)).filter((row) => row.kind === 'leave' && row.participant === b.id).length).toBe(1)

    const rows = await rowsOf(server)
    const chat = numbered(rows)
    expect(chat.map((row) => [row.n, row.participant]).sort()).toEqual([[1, a.id], [2, b.id], [3, a.id], [4, b.id], [5, a.id], [6, b.id]])
    expect(chat.every((row) => /^\d+-\d+$/.test(row.id ?? '') && row.serverTime === Number(row.id?.split('-')[0]))).toBe(true)
    expect(inIdOrder(chat)).toBe(true)
    expect(rows.filter((row) => row.kind === 'join' && row.channel === 'broadcast_channel').map((row) => row.participant).sort()).toEqual([a.id, b.id].sort())
    expect(rows.filter((row) => row.kind === 'reconnect')).toEqual([expect.objectContaining({ channel: 'broadcast_channel', participant: a.id })])
    expect(rows.filter((row) => row.kind === 'refusal').map((row) => [row.code, row.participant])).toEqual(expect.arrayContaining([[4403, b.id], [4401, null]]))
    expect(rows.find((row) => row.code === 4403 && row.channel === 'broadcast_channel')?.detail).toContain(`sender ${a.id} is not you`)
    expect(rows.filter((row) => row.code === 4403 && row.channel === `participant_${a.id}_channel`).map((row) => row.participant)).toEqual([b.id])
    const refusedNul = rows.find((row) => row.code === 4404)
    expect(refusedNul?.participant).toBe(b.id)
    if (name === 'PostgreSQL') {
      expect(refusedNul?.channel).toBe('x\uFFFDy')
      expect(refusedNul?.detail).toContain('U+0000 stored as U+FFFD')
    } else expect(refusedNul?.channel).toBe('x\u0000y')
    // The server's own messages too: control events, with no participant.
    expect(rows.some((row) => row.channel === 'dallinger_control' && row.participant === null)).toBe(true)

    const csv = await (await exported(server, '?format=csv')).text()
    expect(csv.split('\n')[0]).toBe('kind,serverTime,channel,id,participant,payload,code,detail')
    const first = chat.find((row) => row.n === 1)
    expect(csv).toContain(`message,${first?.serverTime},broadcast_channel,${first?.id},${a.id},"{""n"":1,""text"":""a, \\""quoted\\"" line""}",,`)
    // Only the rows asked for: messages of the broadcast channel, in either format.
    const filtered = (await (await exported(server, '?kind=message&channel=broadcast_channel')).text()).trim().split('\n').map((line) => JSON.parse(line) as RecordRow)
    expect(filtered.map((row) => row.id)).toEqual(rows.filter((row) => row.kind === 'message' && row.channel === 'broadcast_channel').map((row) => row.id))
    expect((await (await exported(server, '?format=csv&kind=join,leave')).text()).trim().split('\n').slice(1).every((line) => /^(join|leave),/.test(line))).toBe(true)
    // Nobody else: no token, a participant's credential, or the wrong token.
    for (const authorization of [undefined, `Bearer ${a.token}`, 'Bearer nope']) {
      const refused = await fetch(`${server.url}/export`, { headers: authorization ? { authorization } : {} })
      expect(refused.status).toBe(401)
    }
    expect(await status(server)).toMatchObject({ kind: name === 'PostgreSQL' ? 'postgres' : 'file', failures: 0, waiting: 0 })
    again.ws.close()
  })

  it('from two processes on Redis is one record: each message once, with its sender, in id order; each join once', async () => {
    const store = await fresh()
    const servers: Server[] = []
    // Neither is told it runs the experiment: the one that holds the presence keeper's lease records joins and leaves.
    for (let n = 0; n < 2; n++) {
      const backend = await RedisBackend.connect(suite.redis.url, silentLog)
      const server = await startServer({ log: silentLog, broker: backend, state: backend, ...store, operatorToken: OPERATOR })
      suite.cleanups.push(() => server.close())
      servers.push(server)
    }
    const [one, two] = servers
    if (!one || !two) throw new Error('two processes')
    const [a, b] = [await newParticipant(one.url), await newParticipant(one.url)]
    const [pa, pb] = [await peer(one.url, a.query('broadcast_channel')), await peer(two.url, b.query('broadcast_channel'))]
    for (let n = 1; n <= 40; n++) (n % 2 ? pa : pb).send(`broadcast_channel:{"n":${n}}`)
    await expect.poll(() => pa.frames.filter((f) => f.includes('"n"')).length).toBe(40)
    await expect.poll(() => pb.frames.filter((f) => f.includes('"n"')).length).toBe(40)
    // Each process wrote its own; read from either, the record is whole.
    for (const server of [one, two]) {
      const chat = numbered(await rowsOf(server))
      expect(chat.map((row) => row.n).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
      expect(chat.every((row) => row.participant === (row.n % 2 ? a.id : b.id))).toBe(true)
      expect(inIdOrder(chat)).toBe(true)
    }
    await expect.poll(async () => (await rowsOf(one)).filter((row) => row.kind === 'join' && row.channel === 'broadcast_channel').map((row) => row.participant).sort()).toEqual([a.id, b.id].sort())
  })

  it('is written from the store by `switchboard-server export`, as GET /export gives it', async () => {
    const store = await fresh()
    const server = await startServer({ log: silentLog, ...store, operatorToken: OPERATOR })
    const a = await newParticipant(server.url)
    const pa = await peer(server.url, a.query('broadcast_channel'))
    for (let n = 1; n <= 3; n++) pa.send(`broadcast_channel:{"n":${n},"text":"x,y"}`)
    await pa.received(3)
    await server.close()
    // The same store read by a server with nothing going on, and by the command.
    const quiet = await startServer({ log: silentLog, ...store, operatorToken: OPERATOR })
    const viaHttp = await (await exported(quiet, '?format=csv')).text()
    await quiet.close()
    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'record.csv')
    const flags = store.databaseUrl ? ['--database-url', store.databaseUrl] : ['--record-dir', store.recordDir ?? '']
    const { stderr } = await run(process.execPath, [BIN, 'export', ...flags, '--format', 'csv', '--out', out], { env: { ...process.env, DATABASE_URL: '', RECORD_DIR: '' } })
    expect(readFileSync(out, 'utf8')).toBe(viaHttp)
    expect(stderr).toMatch(/export: \d+ rows from /)
    // JSON lines to standard output by default.
    const { stdout } = await run(process.execPath, [BIN, 'export', ...flags], { env: { ...process.env, DATABASE_URL: '', RECORD_DIR: '' } })
    expect(numbered(stdout.trim().split('\n').map((line) => JSON.parse(line) as RecordRow)).map((row) => [row.n, row.participant])).toEqual([[1, a.id], [2, a.id], [3, a.id]])
  })

  it('gets back from history what a process stored but never wrote (its last batch, lost to kill -9)', async () => {
    const store = await fresh()
    const backend = await RedisBackend.connect(suite.redis.url, silentLog)
    const server = await startServer({ log: silentLog, broker: backend, state: backend, ...store, operatorToken: OPERATOR })
    suite.cleanups.push(() => server.close())
    const a = await newParticipant(server.url)
    // Another process stored these, then died before its batch: they are in Redis's history only.
    const other = await RedisBackend.connect(suite.redis.url, silentLog)
    for (let n = 1; n <= 5; n++) await other.publish('broadcast_channel', `{"n":${n}}`, undefined, a.id)
    await other.close()
    const chat = numbered(await rowsOf(server))
    expect(chat.map((row) => [row.n, row.participant])).toEqual([1, 2, 3, 4, 5].map((n) => [n, a.id]))
    expect((await status(server)).recovered).toBe(5)
    // Recovered once: a second export finds nothing missing, and the record still has each once.
    expect(numbered(await rowsOf(server))).toHaveLength(5)
    expect((await status(server)).recovered).toBe(5)
  })
})

describe('a store that fails', () => {
  it('is reported on /status and never fatal: rows wait, in order, and are written once it is back', async () => {
    let failing = true
    const written: RecordRow[] = []
    const flaky = new FileStore(mkdtempSync(join(tmpdir(), 'record-')))
    flaky.append = async (rows) => {
      if (failing) throw new Error('disk full')
      written.push(...rows)
    }
    const record = new SessionRecord(flaky, silentLog)
    const server = await startServer({ log: silentLog })
    suite.cleanups.push(() => server.close())
    record.follow(server.broker)
    const a = await newParticipant(server.url)
    const pa = await peer(server.url, a.query('broadcast_channel'))
    for (let n = 1; n <= 3; n++) pa.send(`broadcast_channel:{"n":${n}}`)
    await pa.received(3)
    await expect.poll(() => record.status().failures).toBeGreaterThan(0)
    expect(record.status()).toMatchObject({ lastError: 'Error: disk full', written: 0 })
    // The relay went on serving meanwhile.
    pa.send('broadcast_channel:{"n":4}')
    await pa.received(4)
    failing = false
    await record.flush()
    expect(numbered(written).map((row) => row.n)).toEqual([1, 2, 3, 4])
    expect(record.status()).toMatchObject({ waiting: 0, written: written.length })
    await record.close()
  })

  it('PostgreSQL away: the server starts, serves, reports the failure, and never crashes', async () => {
    const server = await startServer({ log: silentLog, databaseUrl: 'postgres://nobody@127.0.0.1:1/none', operatorToken: OPERATOR })
    suite.cleanups.push(() => server.close())
    const a = await newParticipant(server.url)
    const pa = await peer(server.url, a.query('broadcast_channel'))
    pa.send('broadcast_channel:{"n":1}')
    await pa.received(1)
    await expect.poll(async () => (await status(server)).failures, { timeout: 15_000 }).toBeGreaterThan(0)
    expect((await status(server)).waiting).toBeGreaterThan(0)
    expect((await exported(server)).status).toBe(500)
  })

  it('PostgresStore says where it writes without the password', () => {
    const store = new PostgresStore('postgres://user:secret@db.example.org:5432/experiment', silentLog)
    expect(store.where).toBe('db.example.org:5432/experiment table switchboard_record')
    void store.close()
  })
})

describe('switchboard-server export', () => {
  it('says what is wrong: no store (2), a bad format (2), a store it cannot read (1)', async () => {
    const env = { ...process.env, DATABASE_URL: '', RECORD_DIR: '' }
    const failure = (args: string[]) => run(process.execPath, [BIN, 'export', ...args], { env }).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error)
    expect(await failure([])).toMatchObject({ code: 2, stderr: expect.stringContaining('no store: set DATABASE_URL or RECORD_DIR') })
    expect(await failure(['--record-dir', tmpdir(), '--format', 'xml'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected jsonl or csv') })
    expect(await failure(['--database-url', 'postgres://nobody@127.0.0.1:1/none'])).toMatchObject({ code: 1, stderr: expect.stringContaining('could not read 127.0.0.1:1/none') })
  })
})

describe('the record is off', () => {
  it('without a folder or a database: /export says so to the operator', async () => {
    const server = await startServer({ log: silentLog, operatorToken: OPERATOR })
    suite.cleanups.push(() => server.close())
    const response = await exported(server)
    expect(response.status).toBe(404)
    expect(await response.text()).toContain('RECORD_DIR or DATABASE_URL')
  })

  it('without an operator token: /export and /dashboard are off', async () => {
    const server = await startServer({ log: silentLog, recordDir: mkdtempSync(join(tmpdir(), 'record-')) })
    suite.cleanups.push(() => server.close())
    for (const path of ['/export', '/dashboard']) expect((await fetch(`${server.url}${path}`)).status).toBe(404)
  })
})
