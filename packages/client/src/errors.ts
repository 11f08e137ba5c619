/**
 * Every fault Switchboard reports is a `SwitchboardError` with a stable `code`.
 * Runtime faults (bad frames, lost connections, refused sends, throwing listeners) reach the page
 * as `error` events; only misuse of the API (`UsageError`) is thrown.
 */

/** Stable codes for {@link SwitchboardError}; switch on these, not on messages. */
export type ErrorCode =
  /** A frame on this channel whose payload is not valid JSON. */
  | 'INVALID_JSON'
  /** A frame on this channel whose payload is JSON but not an object. */
  | 'NOT_AN_OBJECT'
  /** A binary frame; the protocol carries text frames only. */
  | 'BINARY_FRAME'
  /** A message that fails the schema of its `type` (incoming: not dispatched; outgoing: not sent). */
  | 'INVALID_MESSAGE'
  /** `waitFor` saw no matching message in time. */
  | 'TIMEOUT'
  /** The server refused or ended the connection with a code that stops reconnecting. */
  | 'CONNECTION_REFUSED'
  /** `maxAttempts` reconnect attempts failed in a row. */
  | 'CONNECTION_GAVE_UP'
  /** A send that the outbox could not hold. */
  | 'OUTBOX_FULL'
  /** A send on a closed channel, or queued sends discarded by `close()`. */
  | 'CHANNEL_CLOSED'
  /** A send the server refused (a nack, resume extension): not published, and never will be. */
  | 'REJECTED'
  /** A send larger than the server takes: over the `maxFrameBytes` its hello announced, or a frame it closed the socket at (1009) twice. */
  | 'FRAME_TOO_LARGE'
  /** A handler or listener written by the page threw. */
  | 'LISTENER_FAILED'
  /** The API was called in a way it does not support. */
  | 'USAGE'

const brand = Symbol.for('switchboard.error')

/** Base class of every Switchboard error. */
export class SwitchboardError extends Error {
  override readonly name: string = 'SwitchboardError'
  declare readonly code: ErrorCode
  readonly [brand] = true

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    Object.assign(this, { code })
  }
}

/** A frame that could not be turned into a message. `raw` is the frame exactly as it arrived. */
export class ProtocolError extends SwitchboardError {
  override readonly name = 'ProtocolError'
  declare readonly channel: string
  declare readonly raw: string

  constructor(code: 'INVALID_JSON' | 'NOT_AN_OBJECT' | 'BINARY_FRAME', message: string, channel: string, raw: string, options?: { cause?: unknown }) {
    super(code, message, options)
    Object.assign(this, { channel, raw })
  }
}

/** One problem a schema found; `path` leads to the offending field. */
export interface SchemaIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** A message that failed the schema of its `type`, with the schema's `issues`. */
export class SchemaError extends SwitchboardError {
  override readonly name = 'SchemaError'
  declare readonly channel: string
  /** The frame as received, or as it would have been sent. */
  declare readonly raw: string
  declare readonly messageType: string
  declare readonly direction: 'incoming' | 'outgoing'
  declare readonly issues: ReadonlyArray<SchemaIssue>

  constructor(message: string, details: { channel: string; raw: string; messageType: string; direction: 'incoming' | 'outgoing'; issues: ReadonlyArray<SchemaIssue> }) {
    super('INVALID_MESSAGE', message)
    Object.assign(this, details)
  }
}

/** The connection ended for good: `closeCode` and `reason` are those of the last close. */
export class ConnectionError extends SwitchboardError {
  override readonly name = 'ConnectionError'
  declare readonly closeCode: number
  declare readonly reason: string

  constructor(message: string, closeCode: number, reason: string, code: 'CONNECTION_REFUSED' | 'CONNECTION_GAVE_UP' = 'CONNECTION_REFUSED') {
    super(code, message)
    Object.assign(this, { closeCode, reason })
  }
}

/**
 * A message that was not sent: `frames` holds what was refused or discarded, nothing is lost unseen.
 * A send the server turned down (`REJECTED`, `FRAME_TOO_LARGE`) also carries the server's
 * `closeCode` (4403 a channel or type it may not write, 4404 an unknown channel, 1009 too large) and `reason`.
 */
export class SendError extends SwitchboardError {
  override readonly name = 'SendError'
  declare readonly frames: readonly string[]
  declare readonly closeCode?: number
  declare readonly reason?: string

  constructor(code: 'OUTBOX_FULL' | 'CHANNEL_CLOSED' | 'REJECTED' | 'FRAME_TOO_LARGE', message: string, frames: readonly string[], closeCode?: number, reason?: string) {
    super(code, message)
    Object.assign(this, closeCode === undefined ? { frames } : { frames, closeCode, reason })
  }
}

/** A page's handler threw; `cause` is what it threw. Dispatch to other handlers went on. */
export class ListenerError extends SwitchboardError {
  override readonly name = 'ListenerError'

  constructor(message: string, cause: unknown) {
    super('LISTENER_FAILED', message, { cause })
  }
}

/** The API was misused (a bad channel name, a payload that is not an object, …). Thrown, never emitted. */
export class UsageError extends SwitchboardError {
  override readonly name = 'UsageError'

  constructor(message: string) {
    super('USAGE', message)
  }
}

/** True for any Switchboard error, also one from another realm (an iframe, a second bundle copy). */
export function isSwitchboardError(value: unknown): value is SwitchboardError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
}
