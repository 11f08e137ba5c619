import { STATUS_CODES } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { AddressLimits } from '../access/address-limits.js'
import { AddressRate } from '../access/address-rate.js'
import type { RateVerdict } from '../access/address-rate.js'
import { normalAddress, peerAddress, sourceAddress } from '../access/source-address.js'
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

/**
 * A source address's connections: those open, and among them those without a complete request head yet.
 * One record for all of the address's connections, and each connection points at it: that is all the
 * guard keeps per connection, with no address string nor record of its own.
 */
interface Peer {
  readonly address: string
  open: number
  handshaking: number
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
  private readonly peers = new Map<string, Peer>()
  /** Behind a proxy every connection has its address, so WebSockets are counted by forwarded address. */
  private readonly forwardedSockets = new Tally()
  // Each connection admitted and not yet released, to its address's record. Whether it still waits for
  // its first request head is whether it is among `handshakes`.
  private readonly tracked = new WeakMap<Duplex, Peer>()
  private readonly refused = new WeakSet<Duplex>()
  private readonly minting: AddressRate
  // Connections without a complete request head yet, behind one timer for all: each has the same deadline.
  private readonly handshakes: GraceQueue<Duplex, Duplex>
  private admitted = 0
  private warnedProxy = false

  constructor(private readonly options: ConnectionGuardOptions) {
    this.minting = new AddressRate(options.limits.participantsPerMinute)
    this.handshakes = new GraceQueue(options.limits.handshakeTimeoutMs, (socket) => this.timedOut(socket))
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

  /** For good, as the server closes (it takes no connection after): handshakes are no longer timed, nor counted. */
  stop(): void {
    this.minting.stop()
    this.handshakes.stop()
  }

  private connect(socket: Socket): void {
    const address = normalAddress(peerAddress(socket))
    const { socketsPerAddress, handshakesPerAddress, maxSockets } = this.options.limits
    // Behind a proxy all connections share its address; the per-address checks happen per request.
    const direct = this.options.trustProxy === 0
    const peer = this.peers.get(address)
    if (direct && (peer?.open ?? 0) >= socketsPerAddress) {
      return this.refuse(socket, address, 429, 'socketsPerAddress', socketsPerAddress, `more than ${socketsPerAddress} connections from ${address}\n`)
    }
    if (direct && (peer?.handshaking ?? 0) >= handshakesPerAddress) {
      return this.refuse(socket, address, 429, 'handshakesPerAddress', handshakesPerAddress, `more than ${handshakesPerAddress} unfinished requests from ${address}\n`)
    }
    if (this.admitted >= maxSockets) return this.refuse(socket, address, 503, 'maxSockets', maxSockets, 'the server is full; try again shortly\n')
    const counted = peer ?? { address, open: 0, handshaking: 0 }
    if (!peer) this.peers.set(address, counted)
    counted.open += 1
    counted.handshaking += 1
    this.tracked.set(socket, counted)
    this.admitted += 1
    this.handshakes.add(socket, socket)
    // `on`, not `once` (a socket closes once, and `once` wraps the listener in two more objects), and one listener for all.
    socket.on('close', this.closed)
  }

  private readonly closed = ((guard: ConnectionGuard) =>
    function (this: Socket): void {
      guard.release(this)
    })(this)

  private timedOut(socket: Duplex): void {
    const peer = this.tracked.get(socket)
    if (!peer) return
    const { handshakeTimeoutMs } = this.options.limits
    this.options.log('warn', 'connection.handshake_timeout', { address: peer.address, limit: 'handshakeTimeoutMs', max: handshakeTimeoutMs })
    // The queue has let it go already: it counts as handshaking no more.
    peer.handshaking -= 1
    this.release(socket)
    this.refused.add(socket)
    answer(socket, 408, `no complete request within ${handshakeTimeoutMs} ms\n`)
    socket.destroy()
  }

  private handshakeDone(socket: Duplex): void {
    const peer = this.tracked.get(socket)
    if (peer && this.handshakes.delete(socket)) peer.handshaking -= 1
  }

  /** The connection is gone (or cut): its counts are given back, once. */
  private release(socket: Duplex): void {
    const peer = this.tracked.get(socket)
    if (!peer) return
    this.tracked.delete(socket)
    if (this.handshakes.delete(socket)) peer.handshaking -= 1
    peer.open -= 1
    if (peer.open === 0) this.peers.delete(peer.address)
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
