import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import type { RawData } from 'ws'
import type { Broker } from './broker.js'
import { CONTROL_CHANNEL, channelEvent, connectedEvent, disconnectedEvent } from './control.js'
import type { SocketClient } from './control.js'
import type { Log } from './log.js'

/**
 * Close codes the relay sends. Dallinger crashes on these frames (the client sees 1006); the relay
 * answers the offending socket alone and keeps serving everyone else.
 */
export const RELAY_CLOSE = {
  /** A binary frame: the protocol is text frames only. */
  binaryFrame: { code: 1003, reason: 'binary frames are not supported' },
  /** A text frame that is empty or has no colon. */
  malformedFrame: { code: 1007, reason: 'expected a <channel>:<payload> text frame' },
  /** No pong arrived for the last protocol ping (Dallinger's code and text). */
  pingTimeout: { code: 1008, reason: 'Ping/Pong timeout' },
  /** The server is shutting down. */
  shutdown: { code: 1001, reason: 'server shutting down' },
  /** The server is restarting; clients should come back. */
  restart: { code: 1012, reason: 'service restart' },
} as const

export interface RelayOptions {
  broker: Broker
  log: Log
  /** Interval of protocol pings; a socket that misses one pong is closed with 1008. @default 25000 */
  pingIntervalMs?: number
}

/** A connected socket as the relay sees it. */
interface Connection {
  ws: WebSocket
  channel: string | null
  client: SocketClient
  alive: boolean
}

/**
 * The `/chat` route with Dallinger's semantics: one channel per socket from `?channel=`, frames split at
 * the first colon and published to any channel, verbatim relay to every subscriber (the sender included),
 * control events on `dallinger_control`, protocol pings, no subprotocol.
 */
export class ChatRelay {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: () => false })
  private readonly connections = new Set<Connection>()
  private readonly pingTimer: ReturnType<typeof setInterval>

  constructor(private readonly options: RelayOptions) {
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

  /** Closes every socket with `code` (for shutdown, and for tests that simulate a network drop). */
  closeAll(code: number = RELAY_CLOSE.shutdown.code, reason: string = RELAY_CLOSE.shutdown.reason): void {
    for (const { ws } of this.connections) ws.close(code, reason)
  }

  /** Cuts every socket without a close handshake, as a network failure would (the clients see 1006). */
  dropAll(): void {
    for (const { ws } of this.connections) ws.terminate()
  }

  close(): void {
    clearInterval(this.pingTimer)
    this.closeAll()
    this.wss.close()
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'http://relay').searchParams
    const connection: Connection = {
      ws,
      channel: query.get('channel'),
      client: { workerId: query.get('worker_id'), participantId: query.get('participant_id') },
      alive: true,
    }
    const { broker, log } = this.options
    this.connections.add(connection)
    const { channel } = connection
    const unsubscribe = channel === null ? () => {} : broker.subscribe(channel, (data) => this.deliver(connection, `${channel}:${data}`))
    log('debug', 'socket.open', { channel, ...connection.client })
    broker.publish(CONTROL_CHANNEL, channelEvent('subscribed', channel, connection.client))
    broker.publish(CONTROL_CHANNEL, connectedEvent(connection.client))

    ws.on('pong', () => {
      connection.alive = true
    })
    ws.on('message', (data, isBinary) => this.receive(connection, data, isBinary))
    ws.on('error', (error) => log('warn', 'socket.error', { channel, ...connection.client, error }))
    ws.once('close', (code, reason) => {
      this.connections.delete(connection)
      unsubscribe()
      broker.publish(CONTROL_CHANNEL, channelEvent('unsubscribed', channel, connection.client))
      broker.publish(CONTROL_CHANNEL, disconnectedEvent(code, reason.toString('utf8'), connection.client))
      log('debug', 'socket.close', { channel, ...connection.client, code })
    })
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    const { ws, client } = connection
    if (isBinary) {
      this.refuse(connection, RELAY_CLOSE.binaryFrame, 'frame.binary')
      return
    }
    // binaryType is the default 'nodebuffer', so text frames arrive as one Buffer.
    const text = (data as Buffer).toString('utf8')
    const colon = text.indexOf(':')
    if (colon < 0) {
      this.refuse(connection, RELAY_CLOSE.malformedFrame, 'frame.malformed', { frame: text.slice(0, 80) })
      return
    }
    if (ws.readyState !== WebSocket.OPEN) return
    this.options.log('debug', 'frame.publish', { from: client.participantId, to: text.slice(0, colon) })
    this.options.broker.publish(text.slice(0, colon), text.slice(colon + 1))
  }

  private refuse(connection: Connection, close: { code: number; reason: string }, event: string, fields: Record<string, unknown> = {}): void {
    this.options.log('warn', event, { channel: connection.channel, ...connection.client, closeCode: close.code, ...fields })
    connection.ws.close(close.code, close.reason)
  }

  private deliver(connection: Connection, frame: string): void {
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(frame)
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
