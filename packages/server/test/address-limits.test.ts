import { afterEach, describe, expect, it } from 'vitest'
import { openFileLimit, resolveAddressLimits, serverOptionsFromEnv, silentLog, startServer } from '../src/index.js'
import type { Server, ServerOptions } from '../src/index.js'
import { httpRequest, participantFrom, rawConnection, roundTrip } from './address-peer.js'
import type { RawConnection } from './address-peer.js'
import { peer } from './ws-peer.js'
import type { Peer } from './ws-peer.js'

// Every attack comes from one address and a bystander from another; loopback gives many (127.0.0.0/8),
// and behind a trusted proxy X-Forwarded-For does.
const ATTACKER = { localAddress: '127.0.0.2' }
const BYSTANDER = { localAddress: '127.0.0.3' }
const ELSEWHERE = { localAddress: '127.0.0.9' }
const forwarded = (address: string) => ({ headers: { 'x-forwarded-for': address } })

let server: Server
let base: string
const opened: Array<Peer | RawConnection> = []
afterEach(async () => {
  for (const connection of opened.splice(0)) 'ws' in connection ? connection.ws.terminate() : connection.socket.destroy()
  await server.close()
})
const start = async (options: ServerOptions = {}) => {
  server = await startServer({ log: silentLog, ...options })
  base = `http://127.0.0.1:${server.port}`
  return server
}
const track = <T extends Peer | RawConnection>(connection: T): T => {
  opened.push(connection)
  return connection
}
/** A bystander: a participant of its own, from its own address, with a socket on the broadcast channel. */
const bystander = async (from: { localAddress?: string; headers?: Record<string, string> } = BYSTANDER) => {
  const someone = await participantFrom(base, from)
  return track(await peer(base, someone.query('broadcast_channel'), from))
}

describe('sockets per source address', () => {
  it('refuses one address its 4th connection with 429, before any upgrade, while a bystander from another is served', async () => {
    await start({ limits: { socketsPerAddress: 3 } })
    const attacker = await participantFrom(base, ELSEWHERE)
    const seated = await bystander()
    for (let i = 0; i < 3; i++) track(await peer(base, attacker.query(`participant_${attacker.id}_channel`), ATTACKER))
    await expect(peer(base, attacker.query(`participant_${attacker.id}_channel`), ATTACKER)).rejects.toThrow('Unexpected server response: 429')
    expect(await httpRequest(base, '/status', 'GET', ATTACKER)).toMatchObject({ status: 429, headers: { 'retry-after': '10' } })
    await roundTrip(seated)
    // A newcomer from elsewhere still gets in.
    await roundTrip(await bystander({ localAddress: '127.0.0.4' }))
  })

  it('with a limit of 0, refuses even an address that has no connection yet', async () => {
    await start({ limits: { socketsPerAddress: 0 } })
    expect(await httpRequest(base, '/status', 'GET', ATTACKER)).toMatchObject({ status: 429 })
  })

  it('behind a trusted proxy, counts WebSockets by the forwarded address, and a forged left-hand entry changes nothing', async () => {
    await start({ limits: { socketsPerAddress: 3 }, trustProxy: 1 })
    const attacker = await participantFrom(base, forwarded('10.0.0.1'))
    const seated = await bystander(forwarded('10.0.0.3'))
    const channel = attacker.query(`participant_${attacker.id}_channel`)
    for (let i = 0; i < 3; i++) track(await peer(base, channel, forwarded('10.0.0.1')))
    await expect(peer(base, channel, forwarded('10.0.0.1'))).rejects.toThrow('Unexpected server response: 429')
    await expect(peer(base, channel, forwarded('10.6.6.6, 10.0.0.1'))).rejects.toThrow('Unexpected server response: 429')
    // Every connection came from 127.0.0.1 (the "proxy"): well over 3, and none was refused for it.
    await roundTrip(seated)
    await roundTrip(await bystander(forwarded('10.0.0.4')))
  })
})

describe('participants per source address', () => {
  it('answers the 4th POST /participant in a minute with 429 and Retry-After, and serves a bystander', async () => {
    await start({ limits: { participantsPerMinute: 3 } })
    const seated = await bystander()
    for (let i = 0; i < 3; i++) expect((await httpRequest(base, '/participant', 'POST', ATTACKER)).status).toBe(200)
    const refused = await httpRequest(base, '/participant/w/h/a/live', 'POST', ATTACKER)
    expect(refused.status).toBe(429)
    // 3 a minute: the next one in about 20 s.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(20)
    expect(JSON.parse(refused.body)).toMatchObject({ status: 'error' })
    await roundTrip(seated)
    expect((await httpRequest(base, '/participant', 'POST', { localAddress: '127.0.0.4' })).status).toBe(200)
  })

  it('behind a trusted proxy, limits by the address the proxy appended, whatever the client wrote before it', async () => {
    await start({ limits: { participantsPerMinute: 3 }, trustProxy: 1 })
    const seated = await bystander(forwarded('10.0.0.3'))
    for (let i = 0; i < 3; i++) expect((await httpRequest(base, '/participant', 'POST', forwarded(`10.0.${i}.9, 10.0.0.1`))).status).toBe(200)
    expect((await httpRequest(base, '/participant', 'POST', forwarded('10.0.0.1'))).status).toBe(429)
    expect((await httpRequest(base, '/participant', 'POST', forwarded('10.0.0.2'))).status).toBe(200)
    await roundTrip(seated)
  })
})

describe('unfinished handshakes', () => {
  it('refuses one address more than 3 connections that have sent no request (429, closed at once), and serves a bystander', async () => {
    await start({ limits: { handshakesPerAddress: 3 } })
    const seated = await bystander()
    for (let i = 0; i < 3; i++) track(await rawConnection(server.port, ATTACKER.localAddress))
    const fourth = track(await rawConnection(server.port, ATTACKER.localAddress))
    await fourth.closed
    expect(fourth.received()).toMatch(/^HTTP\/1\.1 429 /)
    await roundTrip(seated)
    await roundTrip(await bystander({ localAddress: '127.0.0.4' }))
  })

  it('cuts a slowloris upgrade request after handshakeTimeoutMs with 408, and a slow second request on a kept-alive connection too', async () => {
    await start({ limits: { handshakeTimeoutMs: 500 } })
    const seated = await bystander()
    const slow = track(await rawConnection(server.port, ATTACKER.localAddress))
    slow.socket.write(`GET /chat?channel=broadcast_channel HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`)
    // A header line every 100 ms: never a complete request, never idle long.
    const drip = setInterval(() => slow.socket.writable && slow.socket.write(`X-Drip-${Date.now()}: 1\r\n`), 100)
    const kept = track(await rawConnection(server.port, ATTACKER.localAddress))
    kept.socket.write('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await expect.poll(() => kept.received()).toMatch(/"sockets":1/)
    kept.socket.write('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const keepDrip = setInterval(() => kept.socket.writable && kept.socket.write(`X-Drip-${Date.now()}: 1\r\n`), 100)
    try {
      const started = Date.now()
      await roundTrip(seated)
      await slow.closed
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /)
      expect(Date.now() - started).toBeLessThan(2000)
      await kept.closed
      expect(kept.received()).toMatch(/HTTP\/1\.1 408 /)
    } finally {
      clearInterval(drip)
      clearInterval(keepDrip)
    }
    await roundTrip(seated)
  })
})

describe('sockets per process', () => {
  it('past maxSockets answers newcomers 503 before any upgrade, leaves everyone connected alone, and admits again once one leaves', async () => {
    await start({ limits: { maxSockets: 4 } })
    const attacker = await participantFrom(base, ELSEWHERE)
    const seated = await bystander()
    const channel = attacker.query(`participant_${attacker.id}_channel`)
    const attackers: Peer[] = []
    let refusal: unknown
    // The bystander holds one; the minting connections may still be closing, so count refusals, not places.
    for (let i = 0; i < 6 && refusal === undefined; i++) {
      await peer(base, channel, ATTACKER).then((socket) => attackers.push(track(socket)), (error: unknown) => (refusal = error))
    }
    expect(String(refusal)).toContain('Unexpected server response: 503')
    expect(attackers.length).toBeLessThanOrEqual(3)
    expect(await httpRequest(base, '/status', 'GET', { localAddress: '127.0.0.4' })).toMatchObject({ status: 503, headers: { 'retry-after': '5' } })
    await roundTrip(seated)
    for (const socket of attackers) expect(socket.ws.readyState).toBe(socket.ws.OPEN)
    attackers[0]?.ws.close()
    await expect.poll(async () => (await httpRequest(base, '/status', 'GET', { localAddress: '127.0.0.4' })).status).toBe(200)
  })

  it('fits the default under the open-file limit', () => {
    expect(resolveAddressLimits({}, 1024).maxSockets).toBe(819)
    expect(resolveAddressLimits({}, 1_048_576).maxSockets).toBe(10_000)
    expect(resolveAddressLimits({}, undefined).maxSockets).toBe(10_000)
    expect(resolveAddressLimits({ maxSockets: 50 }, 1024).maxSockets).toBe(50)
    expect(openFileLimit(() => 'Limit  Soft Limit  Hard Limit  Units\nMax open files            4096                 524288               files\n')).toBe(4096)
    expect(openFileLimit(() => 'Max open files            unlimited            unlimited            files\n')).toBeUndefined()
    expect(openFileLimit(() => { throw new Error('no /proc') })).toBeUndefined()
  })
})

describe('the environment', () => {
  it('reads TRUST_PROXY and the limits of the same names, and refuses a value that is not a whole number', async () => {
    const options = await serverOptionsFromEnv({ TRUST_PROXY: '1', MAX_SOCKETS: '500', SOCKETS_PER_ADDRESS: '300', PARTICIPANTS_PER_MINUTE: '120', LOG_LEVEL: 'error' })
    expect(options).toMatchObject({ trustProxy: 1, limits: { maxSockets: 500, socketsPerAddress: 300, participantsPerMinute: 120 } })
    expect(await serverOptionsFromEnv({ LOG_LEVEL: 'error' })).not.toHaveProperty('trustProxy')
    await expect(serverOptionsFromEnv({ TRUST_PROXY: 'yes' })).rejects.toThrow('TRUST_PROXY=yes: expected a whole number')
    await expect(serverOptionsFromEnv({ MAX_SOCKETS: '0' })).rejects.toThrow('MAX_SOCKETS=0: expected a whole number of at least 1')
  })
})
