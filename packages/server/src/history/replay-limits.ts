/**
 * How much work one resume may cost. A client that resumes with `sb_since=0-0` on a long history
 * asks for all of it, and a client can do that on every reconnect, so a replay is bounded: past a
 * bound, the newest messages are replayed and the older rest is reported as a gap (never invented).
 */
export interface ReplayLimits {
  /** Messages replayed to one resuming socket at most. @default 1000 */
  maxMessages: number
  /**
   * Payload bytes replayed to one resuming socket at most. Keep it under the relay's
   * `maxBufferedBytes` (1 MiB), or a replay alone can make a socket look like a slow reader.
   * @default 524288 (512 KiB)
   */
  maxBytes: number
  /**
   * History reads for resuming sockets running at once in one process. One more waits for a free
   * slot, first come first served: every read is bounded, so the wait is short, and an honest
   * client waits a moment rather than get a gap it need not have. @default 16
   */
  maxInFlight: number
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { maxMessages: 1000, maxBytes: 512 * 1024, maxInFlight: 16 }
