import { redactCredential } from './chat-url.js'
import type { CloseInfo, WebSocketConstructor } from './options.js'

/** What a socket tells its transport, until it closes or is released. */
export interface SocketListener {
  _onOpen(): void
  /** A frame, with its event's `timeStamp` (see timeOfEvent). */
  _onMessage(data: unknown, timeStamp: unknown): void
  _onClose(close: CloseInfo): void
}

/** The part of a WebSocket (the browser's, `ws`'s, a fake) that Switchboard uses. */
interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: never) => void): void
}

const OPEN = 1
const ignore = (): void => {}

/**
 * One WebSocket, from its making to its release: the only code that touches a WebSocket. Its events
 * reach the listener until it closes or is released and never after, so the transport needs no test
 * for sockets it has let go. Nothing here throws into the page or the process:
 * - a constructor that throws (a bad URL, a blocked port) becomes a close, as a failed connection is;
 * - an `error` listener stays attached for the socket's whole life, because `ws` (Node) throws an
 *   `error` event that nobody listens to, such as the one it emits when a socket that is still
 *   connecting is closed. An error needs nothing more: a close always follows it.
 */
export class Socket {
  readonly #ws: WebSocketLike | undefined
  #listener: SocketListener | undefined

  constructor(WebSocket: WebSocketConstructor, url: string, listener: SocketListener) {
    this.#listener = listener
    let ws: WebSocketLike
    try {
      ws = new WebSocket(url) as WebSocketLike
    } catch (error) {
      // After the constructor returned, as a browser reports a connection that failed. The error may quote the URL.
      setTimeout(() => this.#closed({ code: 1006, reason: redactCredential(String(error)) }), 0)
      return
    }
    this.#ws = ws
    ws.addEventListener('error', ignore)
    ws.addEventListener('open', () => this.#listener?._onOpen())
    ws.addEventListener('message', (event: { data: unknown; timeStamp?: unknown }) => this.#listener?._onMessage(event.data, event.timeStamp))
    ws.addEventListener('close', (event: { code: number; reason?: string }) => this.#closed({ code: event.code, reason: event.reason ?? '' }))
  }

  /** Whether a frame written now goes out. */
  get _open(): boolean {
    return this.#ws?.readyState === OPEN
  }

  /** Writes `frame` if the socket is open (a browser's throws while connecting). */
  _send(frame: string): void {
    if (this._open) this.#ws?.send(frame)
  }

  /** Closes the socket and hears nothing more from it, not even the close. */
  _release(code: number, reason?: string): void {
    this.#listener = undefined
    try {
      this.#ws?.close(code, reason)
    } catch {
      // A socket that cannot be closed is let go all the same.
    }
  }

  #closed(close: CloseInfo): void {
    const listener = this.#listener
    this.#listener = undefined
    listener?._onClose(close)
  }
}
