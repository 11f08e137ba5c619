import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import type { RawData } from 'ws'
import { REFUSAL } from './access.js'
import type { ChannelAccess } from './access.js'
import { admit } from './admission.js'
import type { AdmissionOptions } from './admission.js'
import type { Broker } from './broker.js'
import { CONTROL_CHANNEL, channelEvent, connectedEvent, disconnectedEvent } from './control.js'
import type { SocketClient } from './control.js'
import { DEFAULT_LIMITS, RateLimiter } from './limits.js'
import type { Limits } from './limits.js'
import type { Log } from './log.js'
import { extensionFrame, resumeRequest, subscribeResuming } from './resume.js'
import type { ResumeRequest } from './resume.js'

/**
 * Close codes the relay sends besides the refusals of `REFUSAL`. Dallinger crashes on bad frames
 * (the client sees 1006); the relay answers the offending socket alone and serves everyone else.
 */
export const RELAY_CLOSE = {
  /** A binary frame: the protocol is text frames only. */
  binaryFrame: { code: 1003, reason: 'binary frames are not supported' },
  /** A text frame that is empty or has no colon. (Invalid UTF-8 also closes with 1007, sent by ws.) */
  malformedFrame: { code: 1007, reason: 'expected a <channel>:<payload> text frame' },
  /** More frames than the rate limit allows. The client may reconnect and go on. */
  rateLimited: { code: 1008, reason: 'rate limit exceeded' },
  /** No pong arrived for the last protocol ping (Dallinger's code and text). */
  pingTimeout: { code: 1008, reason: 'Ping/Pong timeout' },
  /** The server is shutting down. */
  shutdown: { code: 1001, reason: 'server shutting down' },
  /** The server is restarting; clients should come back. */
  restart: { code: 1012, reason: 'service restart' },
  /** A message could not be stored (Redis away); it was not acknowledged, the client re-sends it. */
  unavailable: { code: 1013, reason: 'try again later' },
  /** Malformed resume parameters (`sb_*`). */
  badResume: { code: 4400, reason: 'bad resume parameters' },
} as const

export interface RelayOptions {
  broker: Broker
  access: ChannelAccess
  admission: AdmissionOptions
  log: Log
  limits?: Partial<Limits>
  /** Interval of protocol pings; a socket that misses one pong is closed with 1008. @default 25000 */
  pingIntervalMs?: number
}

interface Connection {
  ws: WebSocket
  channel: string | null
  client: SocketClient
  /** The participant this socket speaks for, once admitted. */
  participant: string | null
  admitted: boolean
  /** Set when the socket asked for the resume extension (`?sb=1`). */
  resume: ResumeRequest | undefined
  /** The number of the next frame from an acknowledging client. */
  nextSeq: number
  alive: boolean
  limiter: RateLimiter
  /** Frames are handled one after another, in order, though access checks may wait on the shared state. */
  work: Promise<void>
  unsubscribe: () => void
}

interface Presence {
  sockets: number
  channels: Map<string, number>
}

/**
 * The `/chat` route with Dallinger's semantics (one channel per socket from `?channel=`, first-colon
 * split, verbatim relay to every subscriber including the sender, control events, protocol pings,
 * no subprotocol) plus what Dallinger lacks: credentials, channel access, limits, and bad input
 * answered with a close code instead of a crash.
 */
export class ChatRelay {
  private readonly limits: Limits
  private readonly wss: WebSocketServer
  private readonly connections = new Set<Connection>()
  private readonly presence = new Map<string, Presence>()
  private readonly pingTimer: ReturnType<typeof setInterval>

  constructor(private readonly options: RelayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.wss = new WebSocketServer({ noServer: true, handleProtocols: () => false, maxPayload: this.limits.maxFrameBytes })
    this.pingTimer = setInterval(() => this.pingAll(), options.pingIntervalMs ?? 25_000)
    this.pingTimer.unref()
  }

  /** Number of open sockets. */
  get size(): number {
    return this.connections.size
  }

  /** Takes over an HTTP upgrade request for `/chat`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request))
  }

  /** Closes every socket with `code` (shutdown, restart). */
  closeAll(code: number = RELAY_CLOSE.shutdown.code, reason: string = RELAY_CLOSE.shutdown.reason): void {
    for (const { ws } of this.connections) ws.close(code, reason)
  }

  /** Cuts every socket without a close handshake, as a network failure would (the clients see 1006). */
  dropAll(): void {
    for (const { ws } of this.connections) ws.terminate()
  }

  /**
   * Closes every socket with 1001 and resolves once they are gone (their control events published),
   * cutting the ones that have not answered after `graceMs`.
   */
  async close(graceMs = 2000): Promise<void> {
    clearInterval(this.pingTimer)
    this.closeAll()
    const deadline = Date.now() + graceMs
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    this.dropAll()
    this.wss.close()
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'http://relay').searchParams
    const resume = resumeRequest(query)
    const connection: Connection = {
      ws,
      channel: query.get('channel'),
      client: { workerId: query.get('worker_id'), participantId: query.get('participant_id') },
      participant: null,
      admitted: false,
      resume: typeof resume === 'object' ? resume : undefined,
      nextSeq: typeof resume === 'object' ? resume.firstSeq : 0,
      alive: true,
      limiter: new RateLimiter(this.limits.framesPerSecond, this.limits.frameBurst),
      work: Promise.resolve(),
      unsubscribe: () => {},
    }
    this.connections.add(connection)
    ws.on('pong', () => {
      connection.alive = true
    })
    ws.on('message', (data, isBinary) => this.receive(connection, data, isBinary))
    ws.on('error', (error) => this.options.log('warn', 'socket.error', { channel: connection.channel, ...connection.client, error }))
    ws.once('close', (code, reason) => this.release(connection, code, reason.toString('utf8')))
    this.serially(connection, () => this.admit(connection, request, query, typeof resume === 'string' ? resume : undefined))
  }

  /** Lets the socket in, or refuses it (`badResume` says what is wrong with its resume parameters). */
  private async admit(connection: Connection, request: IncomingMessage, query: URLSearchParams, badResume: string | undefined): Promise<void> {
    const { channel, client } = connection
    if (badResume !== undefined) return this.refuse(connection, RELAY_CLOSE.badResume, 'socket.refused', { detail: badResume })
    const admission = admit(request, query, this.options.admission)
    if (!admission.ok) return this.refuse(connection, admission, 'socket.refused')
    const participant = admission.participantId
    const subscription = await this.options.access.subscribe(participant, channel)
    if (!subscription.ok) return this.refuse(connection, subscription, 'subscribe.refused')
    const { broker } = this.options
    const unsubscribe = await this.subscribe(connection)
    const crowded = this.crowded(participant, channel)
    if (crowded || connection.ws.readyState !== WebSocket.OPEN) {
      unsubscribe()
      if (crowded) this.refuse(connection, { code: REFUSAL.tooMany, reason: crowded }, 'socket.refused')
      return
    }
    // From here on the socket counts: its close publishes unsubscribed/disconnected.
    connection.unsubscribe = unsubscribe
    connection.participant = participant
    connection.admitted = true
    this.enter(participant, channel)
    void broker.publish(CONTROL_CHANNEL, channelEvent('subscribed', channel, client))
    void broker.publish(CONTROL_CHANNEL, connectedEvent(client))
    this.options.log('debug', 'socket.open', { channel, ...client })
  }

  /** Plain sockets get frames as Dallinger relays them; resuming ones get hello, history, then ids with each frame. */
  private async subscribe(connection: Connection): Promise<() => void> {
    const { channel, resume } = connection
    const send = (frame: string) => this.deliver(connection, frame)
    if (resume && channel !== null) return subscribeResuming(this.options.broker, channel, resume, send)
    if (resume) send(extensionFrame.hello('0-0'))
    if (channel === null) return () => {}
    return this.options.broker.subscribe(channel, (data) => send(`${channel}:${data}`))
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.refuse(connection, RELAY_CLOSE.binaryFrame, 'frame.binary')
    if (!connection.limiter.take()) return this.refuse(connection, RELAY_CLOSE.rateLimited, 'frame.rate_limited')
    // binaryType is the default 'nodebuffer', so a text frame arrives as one Buffer.
    const text = (data as Buffer).toString('utf8')
    const colon = text.indexOf(':')
    if (colon < 0) return this.refuse(connection, RELAY_CLOSE.malformedFrame, 'frame.malformed', { frame: text.slice(0, 80) })
    // Numbered as they arrive: the client numbers them in the order it sends them.
    const seq = connection.resume ? connection.nextSeq++ : 0
    this.serially(connection, () => this.publish(connection, text.slice(0, colon), text.slice(colon + 1), seq))
  }

  private async publish(connection: Connection, channel: string, payload: string, seq: number): Promise<void> {
    if (!connection.admitted || connection.ws.readyState !== WebSocket.OPEN) return
    const verdict = await this.options.access.publish(connection.participant, channel)
    if (!verdict.ok) return this.refuse(connection, verdict, 'publish.refused', { to: channel })
    const { resume } = connection
    if (!resume) {
      // Not awaited: the broker keeps the order, and a plain client expects no answer.
      void this.options.broker.publish(channel, payload)
      return
    }
    // Sessions are scoped to the participant, so nobody can make another participant's messages look re-sent.
    const outcome = await this.options.broker.publish(channel, payload, { session: `${connection.participant}:${resume.session}`, seq })
    if (outcome === 'lost') return this.refuse(connection, RELAY_CLOSE.unavailable, 'publish.lost', { to: channel })
    this.deliver(connection, extensionFrame.ack(seq))
  }

  /** Runs `step` after the connection's earlier work, so admission and frames stay in order. */
  private serially(connection: Connection, step: () => Promise<void> | void): void {
    connection.work = connection.work.then(step).catch((error: unknown) => {
      this.options.log('error', 'socket.failed', { channel: connection.channel, ...connection.client, error })
      connection.ws.close(1011, 'internal error')
    })
  }

  private refuse(connection: Connection, close: { code: number; reason: string }, event: string, fields: Record<string, unknown> = {}): void {
    this.options.log('warn', event, { channel: connection.channel, ...connection.client, closeCode: close.code, reason: close.reason, ...fields })
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.close(close.code, close.reason)
  }

  private deliver(connection: Connection, frame: string): void {
    const { ws } = connection
    if (ws.readyState !== WebSocket.OPEN) return
    if (ws.bufferedAmount > this.limits.maxBufferedBytes) {
      // A reader this slow would make the server hold everything for it; cut it, it reconnects.
      this.options.log('warn', 'socket.slow_reader', { channel: connection.channel, ...connection.client, bufferedBytes: ws.bufferedAmount })
      ws.terminate()
      return
    }
    ws.send(frame)
  }

  private release(connection: Connection, code: number, reason: string): void {
    this.connections.delete(connection)
    if (!connection.admitted) return
    connection.unsubscribe()
    this.leave(connection.participant, connection.channel)
    const { broker } = this.options
    void broker.publish(CONTROL_CHANNEL, channelEvent('unsubscribed', connection.channel, connection.client))
    void broker.publish(CONTROL_CHANNEL, disconnectedEvent(code, reason, connection.client))
    this.options.log('debug', 'socket.close', { channel: connection.channel, ...connection.client, code })
  }

  /** Why one more socket for this participant would be too many, if it would. */
  private crowded(participant: string | null, channel: string | null): string | undefined {
    if (participant === null) return undefined
    const here = this.presence.get(participant)
    if (!here) return undefined
    if (here.sockets >= this.limits.connectionsPerParticipant) return `more than ${this.limits.connectionsPerParticipant} sockets for one participant`
    if (channel !== null && !here.channels.has(channel) && here.channels.size >= this.limits.channelsPerParticipant) {
      return `more than ${this.limits.channelsPerParticipant} channels for one participant`
    }
    return undefined
  }

  private enter(participant: string | null, channel: string | null): void {
    if (participant === null) return
    const here = this.presence.get(participant) ?? { sockets: 0, channels: new Map<string, number>() }
    this.presence.set(participant, here)
    here.sockets += 1
    if (channel !== null) here.channels.set(channel, (here.channels.get(channel) ?? 0) + 1)
  }

  private leave(participant: string | null, channel: string | null): void {
    const here = participant === null ? undefined : this.presence.get(participant)
    if (!here || participant === null) return
    here.sockets -= 1
    if (channel !== null) {
      const left = (here.channels.get(channel) ?? 1) - 1
      if (left > 0) here.channels.set(channel, left)
      else here.channels.delete(channel)
    }
    if (here.sockets <= 0) this.presence.delete(participant)
  }

  private pingAll(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.ws.close(RELAY_CLOSE.pingTimeout.code, RELAY_CLOSE.pingTimeout.reason)
        continue
      }
      connection.alive = false
      connection.ws.ping()
    }
  }
}
