import { request as httpRequest } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
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
    const upstream = httpRequest({ host: this.host, port: this.port, method: request.method, path: request.url, headers: forwarded(request), setHost: false }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders)
      answer.pipe(response)
    })
    upstream.on('error', (error) => {
      this.log('warn', 'proxy.failed', { path: request.url, error })
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
      response.end('the proxied server did not answer\n')
    })
    request.pipe(upstream)
  }

  /** A WebSocket upgrade of another path than /chat: the two connections are joined, byte for byte, after the request. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const upstream = connect(this.port, this.host, () => {
      const headers = Object.entries(forwarded(request)).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`))
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

/** The request's headers, with where it came from added (appended to any X-Forwarded-For already there). */
function forwarded(request: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value
  const address = request.socket.remoteAddress ?? ''
  const before = request.headers['x-forwarded-for']
  headers['x-forwarded-for'] = before ? `${String(before)}, ${address}` : address
  headers['x-forwarded-proto'] ??= 'encrypted' in request.socket ? 'https' : 'http'
  if (request.headers.host) headers['x-forwarded-host'] ??= request.headers.host
  return headers
}
