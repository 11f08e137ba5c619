// Front-proxy mode (`dallinger debug` behind the server): /chat and /switchboard/… here, every other
// request and WebSocket upgrade forwarded to Dallinger unchanged, and the answer passed back as it came.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { silentLog, startServer } from '../src/index.js'
import type { Server } from '../src/index.js'
import { freePort } from './redis-server.js'
import { peer } from './ws-peer.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Seen {
  method: string | undefined
  url: string | undefined
  headers: IncomingHttpHeaders
  body: string
}

/** A stand-in for Dallinger's web process: answers every request with what it saw, and echoes WebSocket frames on /ws-other. */
async function upstream(): Promise<{ url: string; seen: Seen[]; server: HttpServer }> {
  const seen: Seen[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body })
      response.writeHead(201, 'Made Up', [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-dallinger', 'yes']].flat())
      response.end(`upstream saw ${request.method} ${request.url} ${body}`)
    })
  })
  const wss = new WebSocketServer({ server, path: '/ws-other' })
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data.toString()}`)))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(() => new Promise((resolve) => server.close(resolve)), () => wss.close())
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }
}

async function front(proxyTo: string): Promise<Server> {
  const server = await startServer({ log: silentLog, channelRules: 'dallinger', allowAnonymous: true, proxyTo, operatorToken: 'op' })
  cleanups.push(() => server.close())
  return server
}

describe('front-proxy mode', () => {
  it('forwards HTTP requests unchanged, body and headers, and passes the answer back as it came', async () => {
    const dallinger = await upstream()
    const server = await front(dallinger.url)
    const answer = await fetch(`${server.url}/participant/w1/h1/a1/debug?x=1`, { method: 'POST', body: 'form=data', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-custom': 'kept', cookie: 'session=abc; switchboard_operator=op' } })
    expect(answer.status).toBe(201)
    expect(answer.statusText).toBe('Made Up')
    expect(answer.headers.get('x-dallinger')).toBe('yes')
    expect(answer.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(await answer.text()).toBe('upstream saw POST /participant/w1/h1/a1/debug?x=1 form=data')
    const [request] = dallinger.seen
    expect(request?.headers).toMatchObject({ host: new URL(server.url).host, 'x-custom': 'kept', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http' })
    // The operator's cookie is this server's: Dallinger never sees it; the page's own cookies go on.
    expect(request?.headers.cookie).toBe('session=abc')
    // Dallinger's own /static/ and /dashboard are Dallinger's.
    for (const path of ['/static/scripts/dallinger2.js', '/dashboard', '/']) expect(await (await fetch(`${server.url}${path}`)).text()).toBe(`upstream saw GET ${path} `)
  })

  it('keeps /chat and its own endpoints under /switchboard/, and joins other upgrades to Dallinger byte for byte', async () => {
    const dallinger = await upstream()
    const server = await front(dallinger.url)
    // /chat is Switchboard's: a resuming socket is greeted with hello.
    const chat = await peer(server.url, { channel: 'chat', participant_id: '1', sb: '1', sb_session: 'front-proxy-test' })
    await chat.received(1)
    expect(chat.frames[0]).toContain('"hello"')
    expect(((await (await fetch(`${server.url}/switchboard/status`)).json()) as { sockets: number }).sockets).toBe(1)
    expect((await fetch(`${server.url}/switchboard/static/switchboard.iife.js`)).status).toBe(200)
    expect((await fetch(`${server.url}/switchboard/dashboard?token=op`, { redirect: 'manual' })).headers.get('location')).toBe('dashboard')
    expect(dallinger.seen).toEqual([])
    // Any other upgrade is Dallinger's.
    const other = new WebSocket(`${server.url.replace('http', 'ws')}/ws-other?q=1`)
    await once(other, 'open')
    other.send('ping from a page')
    const [echo] = (await once(other, 'message')) as [Buffer]
    expect(echo.toString()).toBe('echo ping from a page')
    other.close()
  })

  it('answers 502 while Dallinger is down, and serves /chat all the same', async () => {
    const server = await front(`http://127.0.0.1:${await freePort()}`)
    const answer = await fetch(`${server.url}/ad`)
    expect(answer.status).toBe(502)
    const chat = await peer(server.url, { channel: 'chat', participant_id: '1', sb: '1', sb_session: 'front-proxy-test' })
    await chat.received(1)
    // An upgrade for Dallinger fails (its connection is cut), and never opens.
    const refused = new WebSocket(`${server.url.replace('http', 'ws')}/ws-other`)
    let opened = false
    refused.on('open', () => (opened = true))
    await new Promise((resolve) => {
      refused.on('error', resolve)
      refused.on('close', resolve)
    })
    expect(opened).toBe(false)
  })
})
