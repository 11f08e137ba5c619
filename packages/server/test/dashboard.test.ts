// The dashboard's feed: each process's figures once a second on the dashboard channel, which only the
// operator reads and nobody writes; a participant who tries is refused and the others are still served.
import { describe, expect, it } from 'vitest'
import { RedisBackend, silentLog, startServer } from '../src/index.js'
import type { Figures, Server } from '../src/index.js'
import { redisSuite } from './redis-suite.js'
import { newParticipant, peer } from './ws-peer.js'

const suite = redisSuite()
const OPERATOR = 'operator-token-for-tests'
const DASHBOARD = { channel: 'switchboard_dashboard' }
const asOperator = { headers: { cookie: `switchboard_operator=${OPERATOR}` } }

const figuresOf = (frames: string[]): Figures[] => frames.map((frame) => JSON.parse(frame.slice(frame.indexOf(':') + 1)) as Figures)

async function serve(options: Parameters<typeof startServer>[0] = {}): Promise<Server> {
  const server = await startServer({ log: silentLog, operatorToken: OPERATOR, ...options })
  suite.cleanups.push(() => server.close())
  return server
}

describe('the dashboard channel', () => {
  it('tells the operator who is present, how well connected, and the messages of each second; the operator sends nothing', async () => {
    const server = await serve()
    const a = await newParticipant(server.url)
    const pa = await peer(server.url, a.query('broadcast_channel'))
    const operator = await peer(server.url, DASHBOARD, asOperator)
    for (let n = 0; n < 3; n++) pa.send(`broadcast_channel:{"n":${n}}`)
    await expect.poll(() => figuresOf(operator.frames).some((f) => f.messages.broadcast_channel === 3), { timeout: 5000 }).toBe(true)
    const last = figuresOf(operator.frames).at(-1)
    expect(last).toMatchObject({ type: 'figures', broker: { kind: 'memory', connected: true }, presence: { channels: { broadcast_channel: 1 } } })
    expect(Object.keys(last?.presence?.participants ?? {})).toEqual([a.id])
    // The operator's socket only reads: a frame from it is refused, and a's socket is still served.
    operator.send('broadcast_channel:{"n":"from the dashboard"}')
    expect((await operator.closed).code).toBe(4403)
    pa.send('broadcast_channel:{"n":3}')
    await pa.received(4)
    expect(pa.frames.join()).not.toContain('from the dashboard')
  })

  it('is no participant’s: neither a credential nor an anonymous claim reads it, and nobody writes to it', async () => {
    const server = await serve({ allowAnonymous: true })
    const a = await newParticipant(server.url)
    for (const query of [{ ...DASHBOARD, participant_id: a.id, token: a.token }, { ...DASHBOARD, participant_id: a.id }, DASHBOARD]) {
      const refused = await peer(server.url, query)
      expect((await refused.closed).code).toBe(4401)
    }
    const wrongCookie = await peer(server.url, DASHBOARD, { headers: { cookie: 'switchboard_operator=guess' } })
    expect((await wrongCookie.closed).code).toBe(4401)
    // Writing to it from a participant's socket: refused (4403); the bystander goes on.
    const [pa, bystander] = [await peer(server.url, a.query('broadcast_channel')), await peer(server.url, a.query('broadcast_channel'))]
    const operator = await peer(server.url, DASHBOARD, asOperator)
    pa.send('switchboard_dashboard:{"type":"figures","process":"forged"}')
    expect((await pa.closed).code).toBe(4403)
    bystander.send('broadcast_channel:{"still":"served"}')
    await bystander.received(1)
    await expect.poll(() => figuresOf(operator.frames).some((f) => (f.refusals['4403'] ?? 0) >= 1), { timeout: 5000 }).toBe(true)
    expect(figuresOf(operator.frames).map((f) => f.process)).not.toContain('forged')
  })

  it('opens to the server\'s own page only, whatever other origins participants\' pages may use', async () => {
    const server = await serve({ allowedOrigins: '*' })
    const foreign = await peer(server.url, DASHBOARD, { origin: 'https://elsewhere.example', headers: asOperator.headers })
    expect((await foreign.closed).code).toBe(4403)
    const own = await peer(server.url, DASHBOARD, { origin: server.url, headers: asOperator.headers })
    await expect.poll(() => own.frames.length, { timeout: 5000 }).toBeGreaterThan(0)
  })

  it('is off without an operator token', async () => {
    const server = await startServer({ log: silentLog })
    suite.cleanups.push(() => server.close())
    const refused = await peer(server.url, DASHBOARD, asOperator)
    expect((await refused.closed).code).toBe(4401)
  })

  it('carries every process’s figures, through Redis, to an operator on any one of them', async () => {
    await suite.flush()
    const servers: Server[] = []
    for (const runExperiment of [true, false]) {
      const backend = await RedisBackend.connect(suite.redis.url, silentLog)
      servers.push(await serve({ broker: backend, state: backend, runExperiment }))
    }
    const [one, two] = servers
    if (!one || !two) throw new Error('two processes')
    const a = await newParticipant(one.url)
    const onTwo = await peer(two.url, a.query('broadcast_channel'))
    const operator = await peer(one.url, DASHBOARD, asOperator)
    onTwo.send('broadcast_channel:{"n":1}')
    // Both processes are heard; the message was stored by the second; presence comes from the first, which keeps it.
    await expect.poll(() => new Set(figuresOf(operator.frames).map((f) => f.process)).size, { timeout: 5000 }).toBe(2)
    await expect.poll(() => figuresOf(operator.frames).some((f) => f.messages.broadcast_channel === 1 && f.presence === undefined), { timeout: 5000 }).toBe(true)
    await expect.poll(() => figuresOf(operator.frames).some((f) => Object.keys(f.presence?.participants ?? {}).includes(a.id)), { timeout: 5000 }).toBe(true)
    expect(figuresOf(operator.frames).every((f) => f.broker.kind === 'redis')).toBe(true)
  })
})

describe('GET /dashboard', () => {
  it('takes the token once from the link, keeps it in an HttpOnly cookie, and answers a participant’s credential with the login form', async () => {
    const server = await serve()
    const link = await fetch(`${server.url}/dashboard?token=${OPERATOR}`, { redirect: 'manual' })
    expect(link.status).toBe(303)
    expect(link.headers.get('location')).toBe('dashboard')
    expect(link.headers.get('set-cookie')).toBe(`switchboard_operator=${OPERATOR}; HttpOnly; SameSite=Strict; Path=/`)
    const page = await fetch(`${server.url}/dashboard`, asOperator)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('"dashboard/dashboard.js"')
    expect((await fetch(`${server.url}/dashboard/charts/uPlot.iife.min.js`, asOperator)).status).toBe(200)
    const a = await newParticipant(server.url)
    for (const headers of [{}, { authorization: `Bearer ${a.token}` }, { cookie: `switchboard_operator=${a.token}` }]) {
      const refused = await fetch(`${server.url}/dashboard`, { headers })
      expect(refused.status).toBe(401)
      expect(await refused.text()).toContain('<form')
    }
    expect((await fetch(`${server.url}/dashboard?token=wrong`)).status).toBe(401)
  })
})
