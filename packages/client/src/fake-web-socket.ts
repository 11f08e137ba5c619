type Listener = (event: unknown) => void

/**
 * A WebSocket stand-in for testing pages and bots that use Switchboard without a server: it records
 * what the client sent and lets the test play the server with `open()`, `receive()` and `serverClose()`.
 * Events are dispatched synchronously. The client creates sockets after a zero timeout, so let timers
 * run (or `await` a tick) before taking `FakeWebSocket.latest()`.
 * @example
 * const channel = createClient({ url: 'ws://test/chat', WebSocket: FakeWebSocket }).openChannel('room')
 * await new Promise((r) => setTimeout(r, 0))
 * const socket = FakeWebSocket.latest()
 * socket.open()
 * socket.receive('room:{"type":"chat","text":"hi"}')
 * channel.send({ type: 'chat', text: 'hello' }) // socket.sent holds 'room:{"type":"chat","text":"hello"}'
 */
export class FakeWebSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static instances: FakeWebSocket[] = []

  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSING = 2
  readonly CLOSED = 3
  readyState = 0
  binaryType = 'blob'
  readonly sent: string[] = []
  readonly url: string
  readonly protocols: string | string[] | undefined
  private readonly listeners = new Map<string, Set<Listener>>()

  constructor(url: string, protocols?: string | string[]) {
    this.url = url
    this.protocols = protocols
    FakeWebSocket.instances.push(this)
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1)
    if (!socket) throw new Error('no socket was created')
    return socket
  }

  static reset(): void {
    FakeWebSocket.instances = []
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

  open(): void {
    this.readyState = 1
    this.dispatch('open', { type: 'open' })
  }

  receive(data: unknown): void {
    this.dispatch('message', { type: 'message', data })
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3
    this.dispatch('close', { type: 'close', code, reason, wasClean: code !== 1006 })
  }

  private dispatch(type: string, event: unknown): void {
    // A Set may lose members while it is iterated; no copy is needed, and none is made per message.
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}
