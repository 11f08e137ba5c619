/** How long and how many sender sessions the server remembers, to drop re-sent messages. */
export interface SendWindowLimits {
  /** A session is forgotten this long after its last message. @default 600000 (10 minutes) */
  sessionTtlMs: number
  /** Sessions remembered per process in memory mode; the least recently active go first. @default 10000 */
  maxSessions: number
}

export const DEFAULT_SEND_WINDOW: SendWindowLimits = { sessionTtlMs: 10 * 60_000, maxSessions: 10_000 }

/** Who sent a frame on an acknowledging socket: the client's session and the frame's number in it. */
export interface Sender {
  /** The participant (or null) and the client's session id, e.g. `7:k3j…`: sessions never cross participants. */
  session: string
  /** 1, 2, 3… in the order the client sent its messages. */
  seq: number
}

/**
 * The per-session high-water mark of accepted messages, in memory. A client numbers its messages and
 * re-sends every unacknowledged one after a reconnect, in order, so "seq at or below the mark" is
 * exactly "already published".
 */
export class SendWindow {
  private readonly marks = new Map<string, { seq: number; atMs: number }>()
  private readonly limits: SendWindowLimits

  constructor(
    limits: Partial<SendWindowLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_SEND_WINDOW, ...limits }
  }

  /** True the first time (session, seq) is seen and seq is past the mark; false for a duplicate. */
  accept({ session, seq }: Sender): boolean {
    const atMs = this.now()
    const mark = this.marks.get(session)
    const fresh = !mark || atMs - mark.atMs > this.limits.sessionTtlMs
    if (!fresh && seq <= mark.seq) return false
    // Re-inserted, so the map stays ordered from least to most recently active.
    this.marks.delete(session)
    this.marks.set(session, { seq, atMs })
    for (const [oldest] of this.marks) {
      if (this.marks.size <= this.limits.maxSessions) break
      this.marks.delete(oldest)
    }
    return true
  }
}
