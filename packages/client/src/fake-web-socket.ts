type Listener = (event: unknown) => void

/**
 * A WebSocket stand-in for testing pages and bots that use Switchboard without a server: it records
 * what the client sent and lets the test play the server with `open()`, `receive()` and `serverClose()`.
 * Events are dispatched synchronously.
 *
 * The client makes a channel's socket from a timer, the first on a zero timeout after `openChannel()`,
 * so a test awaits it with {@link FakeWebSocket.next}. With fake
 * timers, run them first (`await vi.advanceTimersByTimeAsync(0)`); `next()` then resolves at once.
 * @example
 * const channel = createClient({ url: 'ws://test/chat', WebSocket: FakeWebSocket, resume: false }).openChannel('room')
 * const socket = await FakeWebSocket.next()
 * socket.open()
 * socket.receive('room:{"type":"chat","text":"hi"}')
 * channel.send({ type: 'chat', text: 'hello' }) // socket.sent holds 'room:{"type":"chat","text":"hello"}'
 */
export class FakeWebSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  /** Every socket made since the last {@link FakeWebSocket.reset}, oldest first. */
  static instances: FakeWebSocket[] = []
  // Sockets `next()` has not handed out yet, oldest first, and the `next()` calls waiting for one:
  // at most one of the two is non-empty.
  static #unclaimed: FakeWebSocket[] = []
  static #waiting: Array<(socket: FakeWebSocket) => void> = []

  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSING = 2
  readonly CLOSED = 3
  readyState = 0
  binaryType = 'blob'
  /** Every frame the client wrote, in order. */
  readonly sent: string[] = []
  /** The URL the client connected to, with its query (`channel`, ids, `token`, `sb_*`). */
  readonly url: string
  readonly protocols: string | string[] | undefined
  private readonly listeners = new Map<string, Set<Listener>>()

  constructor(url: string, protocols?: string | string[]) {
    this.url = url
    this.protocols = protocols
    FakeWebSocket.instances.push(this)
    const waiting = FakeWebSocket.#waiting.shift()
    if (waiting) waiting(this)
    else FakeWebSocket.#unclaimed.push(this)
  }

  /**
   * The next socket the client makes: each socket once, in the order they were made, whether it was
   * made before or after the call. After `openChannel()` it is that channel's socket; after a drop,
   * the reconnect's.
   * @example
   * const channel = client.openChannel('room')
   * const socket = await FakeWebSocket.next()
   * socket.serverClose(1006)
   * const again = await FakeWebSocket.next() // after the reconnect delay
   */
  static next(): Promise<FakeWebSocket> {
    const socket = FakeWebSocket.#unclaimed.shift()
    return socket ? Promise.resolve(socket) : new Promise((resolve) => FakeWebSocket.#waiting.push(resolve))
  }

  /**
   * The socket made last. It exists only once the client's zero timeout has run: right after
   * `openChannel()`, `await FakeWebSocket.next()` instead.
   */
  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1)
    if (!socket) throw new Error('No socket yet: the client makes it on a zero timeout after openChannel(); use `await FakeWebSocket.next()`')
    return socket
  }

  /** Forgets every socket; call it between tests. A `next()` still waiting then never resolves. */
  static reset(): void {
    FakeWebSocket.instances = []
    FakeWebSocket.#unclaimed = []
    FakeWebSocket.#waiting = []
  }

  addEventListener(type: string, listener: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set())
    this.listeners.get(type)?.add(listener)
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener)
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: socket is not open')
    this.sent.push(data)
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return
    this.readyState = 3
    this.dispatch('close', { type: 'close', code, reason, wasClean: true })
  }

  /** The server accepts the connection: `readyState` becomes OPEN and `open` is dispatched. */
  open(): void {
    this.readyState = 1
    this.dispatch('open', { type: 'open' })
  }

  /**
   * The server sends `data`, e.g. `'room:{"type":"chat"}'`; with the resume extension, the first frame
   * must be the hello, `':{"type":"hello","v":1,"last":"0-0"}'`.
   */
  receive(data: unknown): void {
    // Stamped as a browser stamps a socket's message: when it arrived, in ms since the time origin.
    this.dispatch('message', { type: 'message', data, timeStamp: globalThis.performance?.now() })
  }

  /** The server (or the network, with 1006) closes the connection with `code` and `reason`. */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3
    this.dispatch('close', { type: 'close', code, reason, wasClean: code !== 1006 })
  }

  private dispatch(type: string, event: unknown): void {
    // A Set may lose members while it is iterated; no copy is needed, and none is made per message.
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}
