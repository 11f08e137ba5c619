import { ListenerError } from './errors.js'
import type { StateChange } from './connection-state.js'
import type { SwitchboardError } from './errors.js'
import type { Payload } from './frame.js'
import type { MessageId } from './message-id.js'

/** What came with a message besides its payload. */
export interface MessageMeta {
  /** The channel it arrived on. */
  channel: string
  /** The frame exactly as received, `channel:payload`. */
  raw: string
  /**
   * When it arrived here, in ms since the epoch, in high resolution (`performance.timeOrigin +
   * performance.now()` where there is such a clock, else `Date.now()`): measure reaction times from it.
   */
  receivedAt: number
  /** Its id on the channel, from a server with the resume extension. */
  id: MessageId | undefined
  /**
   * When the server relayed it, by the server's clock (ms since the epoch; Redis's, in Redis mode),
   * from its id; undefined without the resume extension (a stock Dallinger server).
   */
  serverTime?: number | undefined
}

export type MessageHandler<M = Payload> = (message: M, meta: MessageMeta) => void
export type StateListener = (change: StateChange) => void
export type ErrorListener = (error: SwitchboardError) => void
/** Removes what was added; calling it twice is harmless. */
export type Unsubscribe = () => void

/** Adds `listener` to `listeners`; returns the function that removes it. */
export function listen<L>(listeners: Set<L>, listener: L): Unsubscribe {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The error reported for a handler or listener (`what`) that threw `error`. */
export function listenerFailed(what: string, error: unknown): ListenerError {
  return new ListenerError(`A ${what} threw: ${String(error)}`, error)
}
