/**
 * Close codes of refusals; the client treats 4400–4499 as final and does not reconnect. Each closes
 * the offending socket alone.
 */
export const REFUSAL = {
  /** No valid credential for the claimed participant. */
  unauthorized: 4401,
  /** The channel exists but is not this participant's to read or write, or the page's origin is not allowed. */
  forbidden: 4403,
  /** The server knows no such channel. */
  unknownChannel: 4404,
  /**
   * The credential was issued by a state this server has lost (restarted without persistence): the
   * participant no longer exists, and its id is never given out again. The page should start anew.
   */
  stateLost: 4410,
  /** Too many sockets or channels for one participant. */
  tooMany: 4429,
} as const

/**
 * Close codes the relay sends besides the refusals of `REFUSAL`. Dallinger crashes on bad frames
 * (the client sees 1006); the relay answers the offending socket alone and serves everyone else.
 */
export const RELAY_CLOSE = {
  /** A binary frame: the protocol is text frames only. */
  binaryFrame: { code: 1003, reason: 'binary frames are not supported' },
  /** A text frame that is empty or has no colon. (Invalid UTF-8 also closes with 1007, sent by ws.) */
  malformedFrame: { code: 1007, reason: 'expected a <channel>:<payload> text frame' },
  /** Over the rate limit for longer than `maxThrottledMs`. The client may reconnect and go on. */
  rateLimited: { code: 1008, reason: 'rate limit exceeded' },
  /** A frame over `maxFrameBytes` (a plain socket; a resuming one gets a nack). */
  tooBig: { code: 1009, reason: 'frame too big' },
  /** No pong arrived for the last protocol ping (Dallinger's code and text). */
  pingTimeout: { code: 1008, reason: 'Ping/Pong timeout' },
  /** The server is shutting down. */
  shutdown: { code: 1001, reason: 'server shutting down' },
  /** The server is restarting; clients should come back. */
  restart: { code: 1012, reason: 'service restart' },
  /** A message could not be stored (Redis away): a resuming client was not acknowledged and sends it again; a plain one lost it. */
  unavailable: { code: 1013, reason: 'try again later' },
  /** Malformed resume parameters (`sb_*`). */
  badResume: { code: 4400, reason: 'bad resume parameters' },
} as const

/** The reason that goes with {@link REFUSAL.stateLost}. */
export const STATE_LOST_REASON = 'this participant was lost with the server\'s state (a restart without persistence); start again as a new participant'

/** What a check decided: go on, or close the socket with `code` and `reason`. */
export type Verdict = { ok: true } | { ok: false; code: number; reason: string }

export const ALLOWED: Verdict = { ok: true }

export function refusal(code: number, reason: string): Verdict {
  return { ok: false, code, reason }
}
