import { WebSocket } from 'ws'
import type { Log } from '../log.js'
import { RELAY_CLOSE } from '../protocol/close-codes.js'
import type { SocketClient } from '../protocol/control.js'
import type { ResumeRequest } from '../resume/resume-request.js'
import type { Throttle } from './throttle.js'

/** One `/chat` socket, as the relay keeps it. */
export interface Connection {
  ws: WebSocket
  channel: string | null
  client: SocketClient
  /** The participant this socket speaks for, once admitted. */
  participant: string | null
  /** Let in by the operator's token (the dashboard): it reads its channel, and sends nothing. */
  operator: boolean
  /** The epoch of the state whose credential let it in; undefined for an anonymous socket. */
  epochMs: number | undefined
  /**
   * `pending` while being let in; `cleared` when let in but closed before it could subscribe (the frames
   * it sent are still published); `counted` when subscribed: it receives, and its close is announced.
   * Closed by the server, it publishes nothing more: `refused` if it never counted, `ejected` if it did.
   */
  admission: 'pending' | 'cleared' | 'counted' | 'refused' | 'ejected'
  /** Set when the socket asked for the resume extension (`?sb=1`). */
  resume: ResumeRequest | undefined
  /** The number of the next frame from an acknowledging client. */
  nextSeq: number
  /** When the protocol ping now unanswered was sent; undefined when the last one was answered. */
  pingedAt: number | undefined
  throttle: Throttle
  /** Frames are handled one after another, in order, though access checks may wait on the shared state. */
  work: Promise<void>
  unsubscribe: () => void
  /** Stops the presence events it asked for; undefined while it has not asked. */
  unwatch: (() => void) | undefined
}

/** A socket just opened: not let in yet, nothing subscribed, its frames paced by the throttle `pace` makes for it. */
export function newConnection(ws: WebSocket, query: URLSearchParams, resume: ResumeRequest | undefined, pace: (connection: Connection) => Throttle): Connection {
  const connection: Omit<Connection, 'throttle'> & { throttle?: Throttle } = {
    ws,
    channel: query.get('channel'),
    client: { workerId: query.get('worker_id'), participantId: query.get('participant_id') },
    participant: null,
    operator: false,
    epochMs: undefined,
    admission: 'pending',
    resume,
    nextSeq: resume ? resume.firstSeq : 0,
    pingedAt: undefined,
    work: Promise.resolve(),
    unsubscribe: () => {},
    unwatch: undefined,
  }
  connection.throttle = pace(connection as Connection)
  return connection as Connection
}

/** Sends `frame` to an open socket, or cuts the socket when it holds more than `maxBufferedBytes` unread. */
export function sendTo(connection: Connection, frame: string, maxBufferedBytes: number, log: Log): void {
  const { ws } = connection
  if (ws.readyState !== WebSocket.OPEN) return
  if (ws.bufferedAmount > maxBufferedBytes) {
    // A reader this slow would make the server hold everything for it; cut it, it reconnects.
    log('warn', 'socket.slow_reader', { channel: connection.channel, ...connection.client, bufferedBytes: ws.bufferedAmount })
    ws.terminate()
    return
  }
  ws.send(frame)
}

/** A protocol ping: its pong is life, and its round trip the participant's RTT. */
export function ping(connection: Connection): void {
  connection.pingedAt = Date.now()
  connection.ws.ping()
}

/**
 * One round of pings: a socket that has not answered a ping sent at least `intervalMs` ago is closed
 * (Dallinger's 1008); one whose ping is younger (the first, sent when it opened) waits for the next round.
 */
export function pingOrClose(connection: Connection, intervalMs: number): void {
  // A throttled socket is paused, so its pongs wait unread; it is plainly there, sending.
  if (connection.throttle.throttled) return
  const { pingedAt } = connection
  if (pingedAt === undefined) return ping(connection)
  if (Date.now() - pingedAt >= intervalMs) connection.ws.close(RELAY_CLOSE.pingTimeout.code, RELAY_CLOSE.pingTimeout.reason)
}
