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
  /** Most sends held while the socket is not open; past it a send is refused and reported. @default 1000 */
  outboxLimit?: number
  /**
   * Decides after a close whether to reconnect.
   * @default {@link defaultShouldReconnect}: stop on 1002, 1003, 1007, 1010, 1015 and 4400–4499
   */
  shouldReconnect?: (close: CloseInfo) => boolean
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
  outboxLimit: 1000,
} as const
