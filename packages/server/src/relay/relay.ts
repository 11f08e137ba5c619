import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import type { RawData } from 'ws'
import { admit } from '../access/admission.js'
import type { AdmissionOptions } from '../access/admission.js'
import type { ChannelAccess } from '../access/channel-access.js'
import { DEFAULT_LIMITS } from '../access/limits.js'
import type { Limits } from '../access/limits.js'
import { SocketQuota } from '../access/socket-quota.js'
import type { Broker } from '../broker/broker.js'
import type { Log } from '../log.js'
import { RELAY_CLOSE, REFUSAL, STATE_LOST_REASON, refusal } from '../protocol/close-codes.js'
import { CONTROL_CHANNEL, channelEvent, connectedEvent, disconnectedEvent } from '../protocol/control.js'
import { extensionFrame, readClientFrame } from '../resume/extension-frames.js'
import { resumeRequest } from '../resume/resume-request.js'
import type { ChannelStarts } from '../resume/channel-starts.js'
import type { Presence } from '../resume/presence.js'
import { NOT_RECEIVING, clientOf, heldCopy, listen, newConnection, ping, pingOrClose, sendTo, sharedListeners } from './connection.js'
import type { Connection } from './connection.js'
import { queryOf } from './chat-url.js'
import { Receivers } from './receivers.js'
import type { RelayEventListener } from './relay-events.js'
import { Throttle } from './throttle.js'

const IDLE: Promise<void> = Promise.resolve()
export interface RelayOptions {
  broker: Broker
  access: ChannelAccess
  admission: AdmissionOptions
  log: Log
  limits?: Partial<Limits>
  /** Who is on each channel, by participant: sockets are counted in it, and may ask for it. */
  presence?: Presence
  /** Checks whether the shared state began anew (a credential of a newer state came in). */
  refreshState?: () => Promise<void>
  /** Where rooms and private channels began: a resuming socket's first subscription replays them from there. */
  starts?: ChannelStarts
  /** Interval of protocol pings; a socket that misses one pong is closed with 1008. @default 25000 */
  pingIntervalMs?: number
  /** Told of each refusal and reconnect (the session's record, the dashboard). */
  onEvent?: RelayEventListener
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
  /** Every open socket's connection, by socket: the listeners every socket shares find theirs here. */
  private readonly connections = new Map<WebSocket, Connection>()
  private readonly receivers: Receivers
  private readonly quota: SocketQuota
  private readonly pingTimer: ReturnType<typeof setInterval>
  private readonly pingIntervalMs: number

  constructor(private readonly options: RelayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.quota = new SocketQuota(this.limits)
    // Frames up to 4 × maxFrameBytes are read, so that a resuming client gets a nack for one that is too
    // big and keeps its socket; anything larger ws refuses with 1009 itself.
    this.wss = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: () => false, maxPayload: 4 * this.limits.maxFrameBytes })
    this.receivers = new Receivers({ broker: options.broker, starts: options.starts, maxFrameBytes: this.limits.maxFrameBytes, checkEveryBytes: this.limits.maxBufferedBytes / 16, deliver: (connection, frame, check) => this.deliver(connection, frame, check) })
    this.pingIntervalMs = options.pingIntervalMs ?? 25_000
    this.pingTimer = setInterval(() => this.pingAll(), this.pingIntervalMs)
    this.pingTimer.unref()
  }

  /** Gaps plain sockets suffered: times a broker outage lost messages of a plain socket's channel that history no longer held. */
  get plainGaps(): number { return this.receivers.plainGaps }

  /** Number of open sockets. */
  get size(): number { return this.connections.size }

  /** Takes over an HTTP upgrade request for `/chat`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request))
  }

  /** Closes every socket with `code` (shutdown, restart). */
  closeAll(code: number = RELAY_CLOSE.shutdown.code, reason: string = RELAY_CLOSE.shutdown.reason): void { for (const ws of this.connections.keys()) ws.close(code, reason) }

  /**
   * Closes, with 4410, every socket let in by a credential of a state other than `epochMs`'s: the state
   * was lost (Redis restarted empty), and their participants with it.
   */
  closeLost(epochMs: number): void {
    for (const connection of this.connections.values()) {
      if (connection.epochMs !== undefined && connection.epochMs !== epochMs) this.refuse(connection, { code: REFUSAL.stateLost, reason: STATE_LOST_REASON }, 'socket.state_lost')
    }
  }

  /** Cuts every socket without a close handshake, as a network failure would (the clients see 1006). */
  dropAll(): void { for (const ws of this.connections.keys()) ws.terminate() }

  /**
   * Closes every socket with 1001 and resolves once they are gone (their control events published),
   * cutting the ones that have not answered after `graceMs`.
   */
  async close(graceMs = 2000): Promise<void> {
    clearInterval(this.pingTimer)
    const closing = [...this.connections.values()]
    this.closeAll()
    const deadline = Date.now() + graceMs
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    this.dropAll()
    // What they sent before they went is published before the broker closes (within the grace).
    await Promise.race([Promise.allSettled(closing.map((connection) => connection.work)), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())))])
    this.wss.close()
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const query = queryOf(request.url)
    const resume = resumeRequest(query)
    const connection = newConnection(ws, query, typeof resume === 'object' ? resume : undefined, (channel) => this.receivers.shared(channel))
    this.connections.set(ws, connection)
    listen(ws, this.listeners)
    this.serially(connection, () => this.admit(connection, request, query, typeof resume === 'string' ? resume : undefined))
  }

  /** The listeners every socket shares, so that none holds closures of its own. */
  private readonly listeners = sharedListeners(this.connections, {
    pong: (connection, roundTripMs) => connection.participant !== null && this.options.presence?.rtt(connection.participant, roundTripMs),
    message: (connection, data, isBinary) => this.receive(connection, data, isBinary),
    error: (fields, error) => this.options.log('warn', 'socket.error', { ...fields, error }),
    close: (connection, code, reason) => this.release(connection, code, reason),
  })

  /** Lets the socket in, or refuses it (`badResume` says what is wrong with its resume parameters). */
  private async admit(connection: Connection, request: IncomingMessage, query: URLSearchParams, badResume: string | undefined): Promise<void> {
    const { channel } = connection
    if (badResume !== undefined) return this.refuse(connection, RELAY_CLOSE.badResume, 'socket.refused', { detail: badResume })
    let admission = admit(request, query, this.options.admission)
    if (!admission.ok && admission.behind) {
      // A credential of a newer state: this process has not noticed the state began anew. Look, then decide.
      await this.options.refreshState?.()
      admission = admit(request, query, this.options.admission)
    }
    if (!admission.ok) return this.refuse(connection, admission, 'socket.refused')
    const participant = heldCopy(connection.participantId, admission.participantId)
    // Bound from here on (a refusal below names it); its frames wait until it counts.
    connection.participant = participant
    connection.epochMs = admission.epochMs
    connection.operator = admission.operator === true
    const subscription = await this.options.access.subscribe(participant, channel, connection.operator)
    if (!subscription.ok) return this.refuse(connection, subscription, 'subscribe.refused')
    const { broker } = this.options
    const receiving = await this.receivers.subscribe(connection)
    // Closed by the server meanwhile (its state was lost): nothing more.
    if (connection.admission === 'refused') return this.receivers.unsubscribe(connection, receiving)
    const crowded = this.quota.exceededBy(participant, channel)
    if (crowded) {
      this.receivers.unsubscribe(connection, receiving)
      return this.refuse(connection, { code: REFUSAL.tooMany, reason: crowded }, 'socket.refused')
    }
    if (connection.ws.readyState !== WebSocket.OPEN) {
      // Gone already (a page that sends and closes at once): what it sent is published all the same.
      this.receivers.unsubscribe(connection, receiving)
      connection.admission = 'cleared'
      return
    }
    // From here on the socket counts: its close publishes unsubscribed/disconnected.
    connection.receiving = receiving
    connection.admission = 'counted'
    if (participant !== null && channel !== null && this.options.presence?.count(channel, participant, 1)) this.options.onEvent?.({ type: 'reconnect', participant, channel })
    // A first round trip at once, for the participant's connection quality.
    ping(connection)
    this.quota.enter(participant, channel)
    connection.throttle?.share(this.quota.budget(participant))
    void broker.publish(CONTROL_CHANNEL, channelEvent('subscribed', channel, connection))
    void broker.publish(CONTROL_CHANNEL, connectedEvent(connection))
    this.options.log('debug', 'socket.open', { channel, ...clientOf(connection) })
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.refuse(connection, RELAY_CLOSE.binaryFrame, 'frame.binary')
    // binaryType is the default 'nodebuffer', so a text frame arrives as one Buffer.
    ;(connection.throttle ??= this.pace(connection)).push((data as Buffer).toString('utf8'))
  }

  /** The throttle of a socket's first frame, drawing on its participant's budget once it counts. */
  private pace(connection: Connection): Throttle {
    const throttle = new Throttle(connection.ws, this.limits, (frame) => this.handle(connection, frame), () => this.refuse(connection, RELAY_CLOSE.rateLimited, 'frame.rate_limited'))
    if (connection.admission === 'counted') throttle.share(this.quota.budget(connection.participant))
    return throttle
  }

  /** A frame within the rate: an extension frame of a resuming client, or `channel:payload` to publish. */
  private handle(connection: Connection, text: string): void {
    const colon = text.indexOf(':')
    if (colon < 0) return this.refuse(connection, RELAY_CLOSE.malformedFrame, 'frame.malformed', { frame: text.slice(0, 80) })
    if (colon === 0 && connection.resume) return this.extension(connection, text.slice(1))
    // Numbered as they arrive: the client numbers them in the order it sends them.
    const seq = connection.resume ? connection.nextSeq++ : 0
    // Past 2^53 − 1, numbers stop being exact and two frames would share one.
    if (seq > Number.MAX_SAFE_INTEGER) return this.refuse(connection, { code: RELAY_CLOSE.badResume.code, reason: 'frame numbers past 2^53 - 1' }, 'frame.seq_overflow')
    // A UTF-16 unit is at most 3 UTF-8 bytes: most frames need no count.
    if (text.length * 3 > this.limits.maxFrameBytes && Buffer.byteLength(text) > this.limits.maxFrameBytes) {
      const tooBig = { code: RELAY_CLOSE.tooBig.code, reason: `frame over ${this.limits.maxFrameBytes} bytes` }
      return this.serially(connection, () => this.reject(connection, seq, tooBig, 'frame.too_big'))
    }
    this.serially(connection, () => this.publish(connection, text.slice(0, colon), text.slice(colon + 1), seq))
  }

  /** Heartbeats are answered at once, with the server's clock; what the extension does not know is ignored. */
  private extension(connection: Connection, payload: string): void {
    const frame = readClientFrame(payload)
    if (connection.admission !== 'counted') return
    if (frame?.type === 'ping') return this.deliver(connection, extensionFrame.pong(frame.id))
    const { presence } = this.options
    // Once per socket (each of the client's sockets asks once), and only of its own channel, which it may read.
    if (frame?.type === 'presence' && presence && connection.channel !== null && connection.unwatch === undefined) {
      connection.unwatch = presence.watch(connection.channel, (event) => this.deliver(connection, extensionFrame.presenceEvent(event.type, event.participant)))
      this.deliver(connection, extensionFrame.presence(presence.of(connection.channel)))
    }
  }

  private async publish(connection: Connection, channel: string, payload: string, seq: number): Promise<void> {
    // A frame that arrived is published even when its socket has closed since, unless the server closed it.
    if (connection.admission !== 'cleared' && connection.admission !== 'counted') return
    const verdict = connection.operator ? refusal(REFUSAL.forbidden, 'the dashboard only reads') : await this.options.access.publish(connection.participant, channel, payload)
    if (!verdict.ok) return this.reject(connection, seq, verdict, 'publish.refused', { to: channel })
    const { resume } = connection
    if (!resume) {
      // Not awaited: the broker keeps the order, and a plain client expects no answer. A frame lost
      // (Redis away) cannot be told of, but the socket is closed with 1013 so the page sees it.
      void this.options.broker.publish(channel, payload, undefined, connection.participant ?? undefined).then((outcome) => {
        if (outcome === 'lost') this.refuse(connection, RELAY_CLOSE.unavailable, 'publish.lost', { to: channel })
      })
      return
    }
    // Sessions are scoped to the participant, so nobody can make another participant's messages look re-sent.
    const outcome = await this.options.broker.publish(channel, payload, { session: `${connection.participant}:${resume.session}`, seq }, connection.participant ?? undefined)
    if (outcome === 'lost') return this.refuse(connection, RELAY_CLOSE.unavailable, 'publish.lost', { to: channel })
    this.deliver(connection, extensionFrame.ack(seq))
  }

  /** A frame that will never be published: a resuming client gets a nack and keeps its socket, a plain one is closed. */
  private async reject(connection: Connection, seq: number, close: { code: number; reason: string }, event: string, fields: Record<string, unknown> = {}): Promise<void> {
    const { resume } = connection
    if (!resume) return this.refuse(connection, close, event, fields)
    this.told(connection, close, event, { seq, ...fields })
    // Its number is used up: sent again on a later socket, it is dropped as a duplicate, never published.
    await this.options.broker.forgo({ session: `${connection.participant}:${resume.session}`, seq })
    this.deliver(connection, extensionFrame.nack(seq, close.code, close.reason))
  }

  /** Runs `step` after the connection's earlier work, so admission and frames stay in order. */
  private serially(connection: Connection, step: () => Promise<void> | void): void {
    const work = (connection.work ?? IDLE).then(step).catch((error: unknown) => {
      this.options.log('error', 'socket.failed', { channel: connection.channel, ...clientOf(connection), error })
      connection.ws.close(1011, 'internal error')
    })
    connection.work = work
    // Done and nothing behind it: an idle socket holds no promise.
    void work.then(() => connection.work === work && (connection.work = undefined))
  }

  private refuse(connection: Connection, close: { code: number; reason: string }, event: string, fields: Record<string, unknown> = {}): void {
    this.told(connection, close, event, fields)
    // Told to go, it publishes nothing more: not what waits in its throttle, nor what waits behind this.
    connection.admission = connection.admission === 'counted' || connection.admission === 'ejected' ? 'ejected' : 'refused'
    connection.throttle?.stop()
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.close(close.code, close.reason)
  }

  /** Logs a refusal and tells `onEvent` of it. */
  private told(connection: Connection, { code, reason }: { code: number; reason: string }, event: string, fields: Record<string, unknown>): void {
    this.options.log('warn', event, { channel: connection.channel, ...clientOf(connection), closeCode: code, reason, ...fields })
    this.options.onEvent?.({ type: 'refusal', code, reason, participant: connection.participant, channel: typeof fields.to === 'string' ? fields.to : connection.channel })
  }

  private deliver(connection: Connection, frame: string | Buffer, check = true): void {
    sendTo(connection, frame, check ? this.limits.maxBufferedBytes : Infinity, this.options.log)
  }

  private release(connection: Connection, code: number, reason: string): void {
    this.connections.delete(connection.ws)
    // Its throttle is not stopped: frames it sent before closing still go out, at its rate.
    if (connection.admission !== 'counted' && connection.admission !== 'ejected') return
    this.receivers.unsubscribe(connection, connection.receiving)
    connection.receiving = NOT_RECEIVING
    connection.unwatch?.()
    if (connection.participant !== null && connection.channel !== null) this.options.presence?.count(connection.channel, connection.participant, -1)
    this.quota.leave(connection.participant, connection.channel)
    const { broker } = this.options
    void broker.publish(CONTROL_CHANNEL, channelEvent('unsubscribed', connection.channel, connection))
    void broker.publish(CONTROL_CHANNEL, disconnectedEvent(code, reason, connection))
    this.options.log('debug', 'socket.close', { channel: connection.channel, ...clientOf(connection), code })
  }

  private pingAll(): void {
    for (const connection of this.connections.values()) pingOrClose(connection, this.pingIntervalMs)
  }
}
