import type { Identity } from './identity.js'
import type { QueryParams } from './chat-url.js'
import type { Logger } from './logger.js'

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
   * fails and is reported.
   * @default 1000
   */
  outboxLimit?: number
  /**
   * Ask the server for the resume extension (`?sb=1`, which Dallinger ignores): after a reconnect
   * the channel gets what it missed, once and in order (or a gap event), and every send is held until
   * the server acknowledges it. A server that does not answer with a hello is plain: the channel
   * stops asking and works as before.
   * @default true
   */
  resume?: boolean
  /**
   * How long an opened socket waits for the server's hello before taking the server as plain (a
   * first frame without it decides at once). Only the first connection to a plain server waits.
   * @default 1500
   */
  helloTimeoutMs?: number
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

export const CONNECTION_DEFAULTS = {
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  connectTimeoutMs: 4000,
  maxAttempts: Number.POSITIVE_INFINITY,
  outboxLimit: 1000,
  resume: true,
  helloTimeoutMs: 1500,
} as const
