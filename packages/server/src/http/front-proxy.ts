import { request as httpRequest } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { OPERATOR_COOKIE } from '../access/operator.js'
import type { Log } from '../log.js'

/** The prefix of this server's own endpoints in front-proxy mode (every other path is the proxied server's). */
export const OWN_PREFIX = '/switchboard'

/**
 * The front proxy of Dallinger mode: this server takes `/chat` (and its own endpoints under
 * `/switchboard/`), and every other request goes to `target` (`dallinger debug`'s server) as it came:
 * method, path, headers and body, with `X-Forwarded-For`, `-Proto` and `-Host` added; the answer comes
 * back as it is. Node's own http, not a proxy library: the maintained one needs Node 22, and this is
 * all that is needed. A target that is down gets 502.
 */
export class FrontProxy {
  private readonly host: string
  private readonly port: number

  constructor(
    target: string,
    private readonly log: Log,
  ) {
    const url = new URL(target)
    this.host = url.hostname
    this.port = Number(url.port || 80)
  }

  request(request: IncomingMessage, response: ServerResponse): void {
    const upstream = httpRequest({ host: this.host, port: this.port, method: request.method, path: request.url, headers: forwarded(request, HOP_BY_HOP), setHost: false }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders)
      answer.on('aborted', () => response.destroy())
      answer.pipe(response)
    })
    upstream.on('error', (error) => {
      this.log('warn', 'proxy.failed', { path: request.url, error })
      // Cut mid-answer: the client must see it cut, not a body with an error appended.
      if (response.headersSent) return void response.destroy()
      response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
      response.end('the proxied server did not answer\n')
    })
    // The client left: so does the request to the proxied server.
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy()
    })
    request.pipe(upstream)
  }

  /** A WebSocket upgrade of another path than /chat: the two connections are joined, byte for byte, after the request. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Read now, while the client is surely there: its address is asked of the socket, which no longer knows it once closed.
    const headers = Object.entries(forwarded(request, new Set())).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`))
    const upstream = connect(this.port, this.host, () => {
      upstream.write(`${request.method} ${request.url} HTTP/${request.httpVersion}\r\n${headers.join('\r\n')}\r\n\r\n`)
      if (head.length > 0) upstream.write(head)
      socket.pipe(upstream).pipe(socket)
    })
    const close = () => {
      upstream.destroy()
      socket.destroy()
    }
    upstream.on('error', (error) => {
      this.log('warn', 'proxy.upgrade_failed', { path: request.url, error })
      close()
    })
    socket.on('error', close)
    socket.on('close', close)
    upstream.on('close', close)
  }
}

// Headers of one hop, not of the request: a plain HTTP request goes on without them (an upgrade keeps them, it needs them).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'])

/**
 * The request's headers but `drop`, with where it came from added (appended to any X-Forwarded-For
 * already there), and without the operator's cookie, which is this server's alone.
 */
function forwarded(request: IncomingMessage, drop: ReadonlySet<string>): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !drop.has(name)) headers[name] = value
  if (typeof headers.cookie === 'string') {
    const kept = headers.cookie.split(';').filter((part) => !part.trim().startsWith(`${OPERATOR_COOKIE}=`)).join(';').trim()
    if (kept) headers.cookie = kept
    else delete headers.cookie
  }
  const address = request.socket.remoteAddress ?? ''
  const before = request.headers['x-forwarded-for']
  headers['x-forwarded-for'] = before ? `${String(before)}, ${address}` : address
  headers['x-forwarded-proto'] ??= 'encrypted' in request.socket ? 'https' : 'http'
  if (request.headers.host) headers['x-forwarded-host'] ??= request.headers.host
  return headers
}
