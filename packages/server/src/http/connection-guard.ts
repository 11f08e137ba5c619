import { STATUS_CODES } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { AddressLimits } from '../access/address-limits.js'
import { AddressRate } from '../access/address-rate.js'
import type { RateVerdict } from '../access/address-rate.js'
import { normalAddress, sourceAddress } from '../access/source-address.js'
import type { Log } from '../log.js'
import { GraceQueue } from '../resume/grace-queue.js'

export interface ConnectionGuardOptions {
  limits: AddressLimits
  /** Reverse proxies in front of the server whose X-Forwarded-For is believed (`sourceAddress`). */
  trustProxy: number
  log: Log
  /** Told of each connection or request it refuses, with the HTTP status (the dashboard counts them). */
  onRefused?: (status: number) => void
}

interface Tracked {
  socket: Socket
  address: string
  /** No complete request head yet. */
  pending: boolean
  released: boolean
}

/** How long a refused connection may stay to read its answer before it is cut. */
const LINGER_MS = 1000

/**
 * Guards the HTTP server's connections before any request runs: per source address, open connections
 * and unfinished handshakes; for the process, `maxSockets`; and a deadline for the first request head.
 * Refusals answer with a status line (429, 503, 408) and close, so a client sees why; connections
 * already admitted are never touched by someone else's refusal.
 */
export class ConnectionGuard {
  private readonly open = new Tally()
  private readonly pending = new Tally()
  /** Behind a proxy every connection has its address, so WebSockets are counted by forwarded address. */
  private readonly forwardedSockets = new Tally()
  private readonly tracked = new WeakMap<Duplex, Tracked>()
  private readonly refused = new WeakSet<Duplex>()
  private readonly minting: AddressRate
  // Connections without a complete request head yet, behind one timer for all: each has the same deadline.
  private readonly handshakes: GraceQueue<Tracked, Duplex>
  private admitted = 0
  private warnedProxy = false

  constructor(private readonly options: ConnectionGuardOptions) {
    this.minting = new AddressRate(options.limits.participantsPerMinute)
    this.handshakes = new GraceQueue(options.limits.handshakeTimeoutMs, (entry) => this.timedOut(entry))
  }

  /** Connections admitted and open now. */
  get size(): number {
    return this.admitted
  }

  /** Starts guarding `server`'s connections, and sets Node's own timeouts and hard cap to match. */
  attach(server: Server): void {
    const { handshakeTimeoutMs, maxSockets } = this.options.limits
    server.headersTimeout = handshakeTimeoutMs
    server.requestTimeout = handshakeTimeoutMs
    // The band above maxSockets is for newcomers being told 503; past it, Node drops them unanswered.
    server.maxConnections = maxSockets + Math.ceil(maxSockets / 10)
    server.on('drop', (data) => this.options.log('warn', 'connection.dropped', { address: normalAddress(data?.remoteAddress ?? ''), limit: 'maxSockets' }))
    server.on('connection', (socket: Socket) => this.connect(socket))
  }

  /** The source address of a request, by the trustProxy setting. */
  sourceAddress(request: IncomingMessage): string {
    if (!this.warnedProxy && this.options.trustProxy === 0 && request.headers['x-forwarded-for'] !== undefined) {
      this.warnedProxy = true
      this.options.log('warn', 'server.proxy_not_trusted', { note: 'requests carry X-Forwarded-For but TRUST_PROXY is not set: every participant behind the proxy counts as its one address' })
    }
    return sourceAddress(request, this.options.trustProxy)
  }

  /** A request head has arrived. False when the connection was refused and the request must be ignored. */
  request(request: IncomingMessage): boolean {
    if (this.refused.has(request.socket)) {
      request.socket.destroy()
      return false
    }
    this.handshakeDone(request.socket)
    return true
  }

  /** An upgrade request has arrived. False when it was refused (and answered). */
  upgrade(request: IncomingMessage, socket: Duplex): boolean {
    if (this.refused.has(socket)) {
      socket.destroy()
      return false
    }
    this.handshakeDone(socket)
    if (this.options.trustProxy === 0) return true
    const address = this.sourceAddress(request)
    const { socketsPerAddress } = this.options.limits
    if (this.forwardedSockets.count(address) >= socketsPerAddress) {
      this.options.log('warn', 'connection.refused', { address, limit: 'socketsPerAddress', max: socketsPerAddress })
      answer(socket, 429, `more than ${socketsPerAddress} sockets from ${address}\n`, { 'retry-after': '10' })
      socket.destroy()
      return false
    }
    this.forwardedSockets.add(address)
    socket.once('close', () => this.forwardedSockets.remove(address))
    return true
  }

  /** Whether the request's source address may create one more participant now. */
  mint(request: IncomingMessage): RateVerdict {
    const address = this.sourceAddress(request)
    const verdict = this.minting.take(address)
    if (!verdict.ok) {
      this.options.log('warn', 'participant.rate_limited', { address, limit: 'participantsPerMinute', max: this.options.limits.participantsPerMinute })
      this.options.onRefused?.(429)
    }
    return verdict
  }

  stop(): void {
    this.minting.stop()
    this.handshakes.stop()
  }

  private connect(socket: Socket): void {
    const address = normalAddress(socket.remoteAddress ?? '')
    const { socketsPerAddress, handshakesPerAddress, maxSockets } = this.options.limits
    // Behind a proxy all connections share its address; the per-address checks happen per request.
    const direct = this.options.trustProxy === 0
    if (direct && this.open.count(address) >= socketsPerAddress) {
      return this.refuse(socket, address, 429, 'socketsPerAddress', socketsPerAddress, `more than ${socketsPerAddress} connections from ${address}\n`)
    }
    if (direct && this.pending.count(address) >= handshakesPerAddress) {
      return this.refuse(socket, address, 429, 'handshakesPerAddress', handshakesPerAddress, `more than ${handshakesPerAddress} unfinished requests from ${address}\n`)
    }
    if (this.admitted >= maxSockets) return this.refuse(socket, address, 503, 'maxSockets', maxSockets, 'the server is full; try again shortly\n')
    const entry: Tracked = { socket, address, pending: true, released: false }
    this.tracked.set(socket, entry)
    this.admitted += 1
    this.open.add(address)
    this.pending.add(address)
    this.handshakes.add(socket, entry)
    // `on`, not `once` (a socket closes once, and `once` wraps the listener in two more objects), and one listener for all.
    socket.on('close', this.closed)
  }

  private readonly closed = ((guard: ConnectionGuard) =>
    function (this: Socket): void {
      const entry = guard.tracked.get(this)
      if (entry) guard.release(entry)
    })(this)

  private timedOut(entry: Tracked): void {
    if (!entry.pending) return
    const { socket, address } = entry
    const { handshakeTimeoutMs } = this.options.limits
    this.options.log('warn', 'connection.handshake_timeout', { address, limit: 'handshakeTimeoutMs', max: handshakeTimeoutMs })
    this.release(entry)
    this.refused.add(socket)
    answer(socket, 408, `no complete request within ${handshakeTimeoutMs} ms\n`)
    socket.destroy()
  }

  private handshakeDone(socket: Duplex): void {
    const entry = this.tracked.get(socket)
    if (!entry?.pending) return
    entry.pending = false
    this.handshakes.delete(socket)
    this.pending.remove(entry.address)
  }

  private release(entry: Tracked): void {
    if (entry.released) return
    entry.released = true
    this.handshakes.delete(entry.socket)
    if (entry.pending) this.pending.remove(entry.address)
    entry.pending = false
    this.open.remove(entry.address)
    this.admitted -= 1
  }

  /** Answers at once and half-closes, so the client reads why; the socket is cut when it leaves or after LINGER_MS. */
  private refuse(socket: Socket, address: string, status: 429 | 503, limit: keyof AddressLimits, max: number, body: string): void {
    this.options.log('warn', 'connection.refused', { address, limit, max, status })
    this.options.onRefused?.(status)
    this.refused.add(socket)
    answer(socket, status, body, { 'retry-after': status === 503 ? '5' : '10' })
    socket.end()
    setTimeout(() => socket.destroy(), LINGER_MS).unref()
  }
}

/** A complete HTTP response written straight to the connection, for refusals before (or instead of) a request. */
function answer(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) return
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'content-type: text/plain; charset=utf-8', `content-length: ${Buffer.byteLength(body)}`, 'connection: close']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`)
}

/** Counts per key, forgetting keys that reach zero. */
class Tally {
  private readonly counts = new Map<string, number>()

  count(key: string): number {
    return this.counts.get(key) ?? 0
  }

  add(key: string): void {
    this.counts.set(key, this.count(key) + 1)
  }

  remove(key: string): void {
    const left = this.count(key) - 1
    if (left > 0) this.counts.set(key, left)
    else this.counts.delete(key)
  }
}
