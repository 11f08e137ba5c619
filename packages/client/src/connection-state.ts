import type { ConnectionError } from './errors.js'
import type { CloseInfo } from './options.js'

/** Where a channel's connection stands. `closed` is final. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** Why the state changed. */
export type StateReason =
  /** The socket opened. */
  | 'opened'
  /** The socket closed (network loss, server restart, …); a reconnect follows. */
  | 'lost'
  /** A connect attempt took longer than `connectTimeoutMs`; a reconnect follows. */
  | 'timeout'
  /**
   * The socket heard nothing, not even the answer to a heartbeat, for `heartbeatTimeoutMs` (resume
   * extension only): the path is dead though no close came. The socket is dropped; a reconnect follows.
   */
  | 'silent'
  /** The server closed with a code that stops reconnecting (see `shouldReconnect`). */
  | 'refused'
  /** `close()` was called. */
  | 'closed'
  /** `maxAttempts` reconnect attempts failed in a row; closed for good. */
  | 'gave-up'
  /** The browser is offline: no attempt is made until it is back online. */
  | 'offline'
  /** The browser came back online: the next attempt starts at once. */
  | 'online'
  /** The page went into the back/forward cache (`pagehide`); the socket is released. */
  | 'suspended'
  /** The page came back from the back/forward cache (`pageshow`); reconnecting at once. */
  | 'resumed'

/** One state change, emitted by the single setter. */
export interface StateChange {
  prev: ConnectionState
  next: ConnectionState
  reason: StateReason
  /** The reconnect attempt that comes next (1, 2, …); 0 once open. */
  attempt: number
  /** The wait before that attempt, when reconnecting. */
  delayMs?: number
  /** The close that caused this change, if one did. */
  close?: CloseInfo
  /** Set when the channel closed because the server refused it or the attempts ran out. */
  error?: ConnectionError
}

/** For exhaustive switches over state unions: a new state that is not handled fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected ${value}`)
}
