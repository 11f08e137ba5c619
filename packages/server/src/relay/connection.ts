import { WebSocket } from 'ws'
import type { RawData } from 'ws'
import type { Log } from '../log.js'
import { RELAY_CLOSE } from '../protocol/close-codes.js'
import type { SocketClient } from '../protocol/control.js'
import type { ResumeRequest } from '../resume/resume-request.js'
import type { Throttle } from './throttle.js'

/** One `/chat` socket, as the relay keeps it. */
export interface Connection {
  ws: WebSocket
  channel: string | null
  /**
   * Who the socket says it is (`?worker_id=`, `?participant_id=`), as control events name it: fields of
   * the connection itself, so that it is a SocketClient without an object of its own (see clientOf).
   */
  workerId: string | null
  participantId: string | null
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
  /** Made at its first frame, so that an idle socket holds no buckets. */
  throttle: Throttle | undefined
  /**
   * Frames are handled one after another, in order, though access checks may wait on the shared state:
   * the work of those not done yet, undefined once all are.
   */
  work: Promise<void> | undefined
  /** What it receives on, once counted (and while being let in). */
  receiving: Receiving
  /** Stops the presence events it asked for; undefined while it has not asked. */
  unwatch: (() => void) | undefined
}

/**
 * How a socket receives its channel: nothing yet (or no channel), among its channel's plain sockets (one
 * broker subscription for all of them), or through a subscription of its own (a resuming socket, which
 * catches up on its own).
 */
export type Receiving = { kind: 'none' } | { kind: 'plain' } | { kind: 'own'; stop: () => void }

export const NOT_RECEIVING: Receiving = { kind: 'none' }
export const PLAIN: Receiving = { kind: 'plain' }

/**
 * A socket just opened: not let in yet, nothing subscribed, no frame read. `shared` gives its channel's
 * name as a string already held for the channel, if any: the query is parsed anew for every socket, and
 * one copy of the name for all of a channel's sockets costs less than one each.
 */
export function newConnection(ws: WebSocket, query: URLSearchParams, resume: ResumeRequest | undefined, shared: (channel: string) => string = (channel) => channel): Connection {
  const channel = query.get('channel')
  return {
    ws,
    channel: channel === null ? null : shared(channel),
    workerId: query.get('worker_id'),
    participantId: query.get('participant_id'),
    participant: null,
    operator: false,
    epochMs: undefined,
    admission: 'pending',
    resume,
    nextSeq: resume ? resume.firstSeq : 0,
    pingedAt: undefined,
    throttle: undefined,
    work: undefined,
    receiving: NOT_RECEIVING,
    unwatch: undefined,
  }
}

/** `id` as the equal string `held` already is, if it is one (the credential's participant, the claimed participant_id): one copy per socket, not two. */
export function heldCopy(held: string | null, id: string | null): string | null {
  return id === held ? held : id
}

/** The socket's worker and participant ids, as a log line's fields: made only when one is written. */
export function clientOf({ workerId, participantId }: SocketClient): SocketClient {
  return { workerId, participantId }
}

// One options object for every send: a frame given as bytes still goes out as text.
const TEXT = { binary: false } as const

/**
 * Sends `frame` (text, or its UTF-8 bytes, which every socket of a channel can share) to an open socket,
 * or cuts the socket when it holds more than `maxBufferedBytes` unread.
 */
export function sendTo(connection: Connection, frame: string | Buffer, maxBufferedBytes: number, log: Log): void {
  const { ws } = connection
  if (ws.readyState !== WebSocket.OPEN) return
  // Infinity: not looked at this time (a channel's frames look at every backlog once per so many bytes).
  if (maxBufferedBytes !== Infinity && ws.bufferedAmount > maxBufferedBytes) {
    // A reader this slow would make the server hold everything for it; cut it, it reconnects.
    log('warn', 'socket.slow_reader', { channel: connection.channel, ...clientOf(connection), bufferedBytes: ws.bufferedAmount })
    ws.terminate()
    return
  }
  ws.send(frame, TEXT)
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
  if (connection.throttle?.throttled) return
  const { pingedAt } = connection
  if (pingedAt === undefined) return ping(connection)
  if (Date.now() - pingedAt >= intervalMs) connection.ws.close(RELAY_CLOSE.pingTimeout.code, RELAY_CLOSE.pingTimeout.reason)
}

/** What the relay does with a socket's events, given its connection. */
export interface SocketEvents {
  /** A pong to the ping sent `roundTripMs` ago. */
  pong(connection: Connection, roundTripMs: number): void
  message(connection: Connection, data: RawData, isBinary: boolean): void
  /** `fields` name the socket, when it is still known. */
  error(fields: Record<string, unknown>, error: Error): void
  close(connection: Connection, code: number, reason: string): void
}

export type SharedListeners = ReturnType<typeof sharedListeners>

/**
 * One set of listeners for every socket: ws calls them with the socket as `this`, and they find its
 * connection in `connections`, so that no socket holds closures of its own.
 */
export function sharedListeners(connections: ReadonlyMap<WebSocket, Connection>, events: SocketEvents) {
  return {
    pong(this: WebSocket): void {
      const connection = connections.get(this)
      if (connection === undefined) return
      const { pingedAt } = connection
      connection.pingedAt = undefined
      if (pingedAt !== undefined) events.pong(connection, Date.now() - pingedAt)
    },
    message(this: WebSocket, data: RawData, isBinary: boolean): void {
      const connection = connections.get(this)
      if (connection !== undefined) events.message(connection, data, isBinary)
    },
    error(this: WebSocket, error: Error): void {
      const connection = connections.get(this)
      events.error(connection ? { channel: connection.channel, ...clientOf(connection) } : {}, error)
    },
    close(this: WebSocket, code: number, reason: Buffer): void {
      const connection = connections.get(this)
      if (connection !== undefined) events.close(connection, code, reason.toString('utf8'))
    },
  }
}

/** Hands `ws`'s events to the shared listeners. */
export function listen(ws: WebSocket, listeners: SharedListeners): void {
  ws.on('pong', listeners.pong)
  ws.on('message', listeners.message)
  ws.on('error', listeners.error)
  ws.on('close', listeners.close)
}
