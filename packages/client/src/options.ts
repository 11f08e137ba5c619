import { ListenerError } from './errors.js'
import type { SwitchboardError } from './errors.js'
import type { Identity } from './identity.js'
import type { QueryParams } from './chat-url.js'
import type { Logger } from './logger.js'
import type { OutboxStorage } from './outbox-store.js'

/** The parts of a close event that decide whether to reconnect. */
export interface CloseInfo {
  code: number
  reason: string
}

/** A WebSocket class: the browser's, or `ws`'s in Node (its instances need only be event targets like the browser's). */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): object
  readonly CLOSING: number
}

/**
 * Where page lifecycle events come from: `online`, `pagehide` and `pageshow`, and `navigator.onLine`.
 * The browser's `window` fits.
 */
export interface LifecycleTarget {
  addEventListener(type: string, listener: (event: Event) => void): void
  removeEventListener(type: string, listener: (event: Event) => void): void
  navigator?: { onLine?: boolean }
}

/** How a client connects; every option has a default, documented here and in the README. */
export interface ConnectionOptions {
  /**
   * The `/chat` endpoint, e.g. `wss://example.org/chat`.
   * @default `ws(s)://<page host>/chat`, from the page's protocol
   */
  url?: string
  /**
   * Who this page is. Read when a channel opens.
   * @default `window.dallinger.identity` when present, else none (ids are left out of the URL)
   */
  identity?: Identity
  /**
   * The participant's credential (the `token` that `POST /participant` returns on a Switchboard server),
   * sent as `?token=`. Dallinger ignores it.
   * @default none
   */
  credential?: string
  /** Extra query parameters for the `/chat` URL (Dallinger ignores unknown ones). @default {} */
  params?: QueryParams
  /**
   * The WebSocket class; pass `ws`'s `WebSocket` in Node.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor
  /** Shortest wait before a reconnect attempt. @default 1000 */
  minDelayMs?: number
  /** Longest wait before a reconnect attempt. @default 30000 */
  maxDelayMs?: number
  /** An attempt that has not opened by then is abandoned and retried. @default 4000 */
  connectTimeoutMs?: number
  /**
   * Failed reconnect attempts in a row after which the channel gives up: it closes, `ready()` rejects
   * and a `CONNECTION_GAVE_UP` error is reported.
   * @default Infinity
   */
  maxAttempts?: number
  /**
   * Most sends held (waiting for the socket, or for the server's acknowledgement); past it a send
   * fails and is reported. It bounds what `outboxStorage` keeps, too.
   * @default 1000
   */
  outboxLimit?: number
  /**
   * Where the tab keeps the sends not yet acknowledged, so that the next load of the page sends them
   * again with the same sender session and numbers, and the server's duplicate window makes them
   * exactly-once. Stored per channel under `switchboard:outbox:<channel>`, tagged with the participant
   * id: a different participant in the same tab drops the entry and re-sends nothing. Written at the
   * end of every task that changed the outbox, so a reload, a navigation or a crash of the tab finds
   * it. `close()` fails what is held, and empties the entry. `null` keeps nothing.
   * @default sessionStorage in a browser, none in Node
   */
  outboxStorage?: OutboxStorage | null
  /**
   * Ask the server for the resume extension (`?sb=1`, which Dallinger ignores): after a reconnect
   * the channel gets what it missed, once and in order (or a gap event), every send is held until
   * the server acknowledges it, and a heartbeat notices a dead path. A server that has never
   * answered with a hello is plain: after its first silence the channel stops asking and works as before.
   * @default true
   */
  resume?: boolean
  /**
   * How long an opened socket waits for the server's hello before it goes on in the plain protocol
   * (a first frame without it decides at once); a hello that comes later still switches the socket to
   * the extension. A channel whose server has said hello waits on every connection; one whose server
   * never has waits only on the first.
   * @default 1500
   */
  helloTimeoutMs?: number
  /**
   * After this long without a frame, a socket that speaks the resume extension sends a ping
   * (`:{"type":"ping","id":n}`), which the server answers at once. Any frame counts, so a busy channel
   * never pings. Never on a plain socket: a Dallinger server would relay the ping to every subscriber.
   * `0` turns the heartbeat off.
   * @default 10000
   */
  heartbeatIntervalMs?: number
  /**
   * A socket that hears nothing, not even the pong, for this long is silent: its path is dead though
   * no close came (a sleeping laptop, a NAT that forgot the connection). The channel drops it and
   * reconnects (reason `silent`). Counted from the ping, as `heartbeatTimeoutMs − heartbeatIntervalMs`
   * for its answer, so a ping a background tab sent late still gets its full time. Must be longer
   * than `heartbeatIntervalMs`.
   * @default 25000
   */
  heartbeatTimeoutMs?: number
  /**
   * Decides after a close whether to reconnect.
   * @default {@link defaultShouldReconnect}: stop on 1002, 1003, 1007, 1010, 1015 and 4400–4499
   */
  shouldReconnect?: (close: CloseInfo) => boolean
  /**
   * Page lifecycle source: reconnect at once on `online` and on `pageshow` from the back/forward cache,
   * make no attempt while `navigator.onLine` is false, release the socket on `pagehide` into that cache.
   * `null` ignores the page.
   * @default window in a browser, none in Node
   */
  lifecycle?: LifecycleTarget | null
  /** Log connection events through `logger.debug`. @default false */
  debug?: boolean
  /** Where debug lines and unhandled-error warnings go. @default console */
  logger?: Logger
}

/** Close codes after which reconnecting would only be refused again. */
export const TERMINAL_CLOSE_CODES: readonly number[] = [1002, 1003, 1007, 1010, 1015]

/**
 * Reconnect unless the close says "refused / go away": a protocol error (1002), unsupported or invalid
 * data (1003, 1007), a missing extension (1010), a TLS failure (1015), or an application refusal in
 * 4400–4499. Everything else reconnects, notably 1001 (server restart), 1006 (network loss),
 * 1008 (Dallinger's ping timeout), 1011, 1012 and 1013.
 */
export function defaultShouldReconnect({ code }: CloseInfo): boolean {
  return !TERMINAL_CLOSE_CODES.includes(code) && !(code >= 4400 && code <= 4499)
}

/** Asks the page's `decide` whether to reconnect after `close`; one that throws is reported, and the channel reconnects. */
export function askShouldReconnect(decide: (close: CloseInfo) => boolean, close: CloseInfo, report: (error: SwitchboardError) => void): boolean {
  try {
    return decide(close)
  } catch (error) {
    report(new ListenerError('shouldReconnect threw', error))
    return true
  }
}

export const CONNECTION_DEFAULTS = {
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  connectTimeoutMs: 4000,
  maxAttempts: Number.POSITIVE_INFINITY,
  outboxLimit: 1000,
  resume: true,
  helloTimeoutMs: 1500,
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 25_000,
} as const
