import { FakeWebSocket } from './fake-web-socket.js'
import { compareMessageIds } from './message-id.js'
import type { MessageId } from './message-id.js'
import type { WebSocketConstructor } from './options.js'

interface Connection {
  socket: FakeWebSocket
  channel: string
  resume: { session: string; nextSeq: number } | undefined
}

interface Stored {
  id: MessageId
  data: string
}

/** What a test can ask of the fake server besides its sockets. */
export interface FakeServerOptions {
  /** Messages kept per channel for resuming clients. @default 1000 */
  historyLimit?: number
}

const laterId = (a: MessageId, b: MessageId) => (compareMessageIds(a, b) >= 0 ? a : b)
const beforeEpoch = (ms: number): MessageId => `${ms - 1}-999999999999999`

/**
 * A Switchboard server in the same process, with no ports, for a page's or a bot's unit tests:
 * Dallinger's semantics (one channel per socket from `?channel=`, first-colon split, verbatim relay
 * to every subscriber including the sender) and the resume extension (hello, ids, acks, replay,
 * gaps, pings). No credentials and no channel rules: it lets every socket in. Everything happens on
 * timers and microtasks, so it runs under fake timers (`vi.useFakeTimers()`) and is deterministic.
 * The same conformance cases run against it and against the real relay, so the two cannot drift.
 * @example
 * const server = new FakeServer()
 * const client = createClient({ url: server.url, WebSocket: server.WebSocket, identity: { participantId: 1 } })
 * server.publish('room', { type: 'round', n: 1 }) // the experiment's side
 * server.dropAll()                                // every socket drops (1006); the clients reconnect and resume
 */
export class FakeServer {
  readonly url = 'ws://switchboard.test/chat'
  /** The WebSocket constructor to hand the client: its sockets connect to this server. */
  readonly WebSocket: WebSocketConstructor
  readonly #connections = new Set<Connection>()
  readonly #history = new Map<string, { messages: Stored[]; dropped: MessageId; last: MessageId }>()
  readonly #sessions = new Map<string, number>()
  readonly #published: Array<{ channel: string; data: string }> = []
  readonly #held: Array<() => void> = []
  readonly #historyLimit: number
  #epoch = Date.now()
  #delayMs = 0
  #blackholed = false

  constructor(options: FakeServerOptions = {}) {
    this.#historyLimit = options.historyLimit ?? 1000
    const server = this
    this.WebSocket = class extends FakeWebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols)
        setTimeout(() => server.#accept(this), 0)
      }

      override send(data: string): void {
        super.send(data)
        server.#receive(this, data)
      }

      override close(code?: number, reason?: string): void {
        server.#forget(this)
        super.close(code, reason)
      }
    }
  }

  /** Open sockets. */
  get sockets(): number {
    return this.#connections.size
  }

  /** The experiment's side: publishes `payload` (an object is JSON-encoded) to every subscriber of `channel`, kept in history. */
  publish(channel: string, payload: object | string): void {
    this.#publish(channel, typeof payload === 'string' ? payload : JSON.stringify(payload))
  }

  /** What was published on `channel` (by clients and by `publish`), parsed where it is JSON, in order. */
  published(channel: string): unknown[] {
    return this.#published.filter((p) => p.channel === channel).map((p) => parse(p.data))
  }

  /** Every socket drops, as in a network failure (1006): clients reconnect, and resuming ones get what they missed. */
  dropAll(): void {
    for (const { socket } of [...this.#connections]) this.#close(socket, 1006)
  }

  /** A restart (1012): clients come back. Without `keepHistory` the server forgot everything: resuming clients get a gap. */
  restart({ keepHistory = true }: { keepHistory?: boolean } = {}): void {
    for (const { socket } of [...this.#connections]) this.#close(socket, 1012, 'service restart')
    if (keepHistory) return
    this.#history.clear()
    this.#sessions.clear()
    this.#epoch = Date.now()
  }

  /** From now on, every frame the server sends arrives `ms` later. */
  delay(ms: number): void {
    this.#delayMs = ms
  }

  /** While on, nothing reaches the clients (no frame, no ack, no pong) and no socket closes; off, it all arrives. */
  blackhole(on: boolean): void {
    this.#blackholed = on
    if (!on) for (const deliver of this.#held.splice(0)) deliver()
  }

  #accept(socket: FakeWebSocket): void {
    if (socket.readyState !== FakeWebSocket.CONNECTING) return
    const query = new URL(socket.url).searchParams
    const channel = query.get('channel') ?? ''
    const resume = query.get('sb') === '1' ? { session: query.get('sb_session') ?? '', nextSeq: Number(query.get('sb_seq') ?? '1') } : undefined
    const connection: Connection = { socket, channel, resume }
    this.#connections.add(connection)
    socket.open()
    if (!resume) return
    const history = this.#channel(channel)
    const since = query.get('sb_since') ?? laterId(history.last, history.dropped)
    const last = laterId(since, history.dropped)
    this.#send(socket, `:${JSON.stringify({ type: 'hello', v: 1, last, now: Date.now(), maxFrameBytes: 65536 })}`)
    if (compareMessageIds(history.dropped, since) > 0) this.#send(socket, `:${JSON.stringify({ type: 'gap', since, last })}`)
    for (const { id, data } of history.messages) if (compareMessageIds(id, last) > 0) this.#send(socket, `${id} ${channel}:${data}`)
  }

  #receive(socket: FakeWebSocket, text: string): void {
    const connection = [...this.#connections].find((c) => c.socket === socket)
    const colon = text.indexOf(':')
    if (!connection || colon < 0) return this.#close(socket, 1007, 'expected a <channel>:<payload> text frame')
    const { resume } = connection
    if (colon === 0 && resume) {
      const frame = parse(text.slice(1)) as { type?: unknown; id?: unknown } | undefined
      if (frame?.type === 'ping') this.#send(socket, `:${JSON.stringify({ type: 'pong', id: frame.id, now: Date.now() })}`)
      return
    }
    const channel = text.slice(0, colon)
    const data = text.slice(colon + 1)
    if (!resume) return this.#publish(channel, data)
    const seq = resume.nextSeq++
    // A frame already published (re-sent after a reconnect) is acknowledged again, not published again.
    if (seq > (this.#sessions.get(resume.session) ?? 0)) {
      this.#sessions.set(resume.session, seq)
      this.#publish(channel, data)
    }
    this.#send(socket, `:${JSON.stringify({ type: 'ack', seq })}`)
  }

  #channel(channel: string) {
    let history = this.#history.get(channel)
    if (!history) this.#history.set(channel, (history = { messages: [], dropped: beforeEpoch(this.#epoch), last: beforeEpoch(this.#epoch) }))
    return history
  }

  #publish(channel: string, data: string): void {
    const history = this.#channel(channel)
    const [ms = 0, seq = 0] = history.last.split('-').map(Number)
    const now = Date.now()
    const id = now > ms ? `${now}-0` : `${ms}-${seq + 1}`
    history.last = id
    history.messages.push({ id, data })
    if (history.messages.length > this.#historyLimit) history.dropped = history.messages.shift()?.id ?? history.dropped
    this.#published.push({ channel, data })
    for (const connection of this.#connections) {
      if (connection.channel === channel) this.#send(connection.socket, connection.resume ? `${id} ${channel}:${data}` : `${channel}:${data}`)
    }
  }

  #send(socket: FakeWebSocket, frame: string): void {
    const deliver = () => {
      if (socket.readyState === FakeWebSocket.OPEN) socket.receive(frame)
    }
    if (this.#blackholed) this.#held.push(deliver)
    else if (this.#delayMs > 0) setTimeout(deliver, this.#delayMs)
    else queueMicrotask(deliver)
  }

  #close(socket: FakeWebSocket, code: number, reason = ''): void {
    this.#forget(socket)
    if (socket.readyState !== FakeWebSocket.CLOSED) socket.serverClose(code, reason)
  }

  #forget(socket: FakeWebSocket): void {
    for (const connection of this.#connections) if (connection.socket === socket) this.#connections.delete(connection)
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
