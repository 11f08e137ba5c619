import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'

/** How much history each channel keeps for clients that resume. */
export interface HistoryLimits {
  /** Messages kept per channel, newest first out last. @default 1000 */
  maxMessages: number
  /** Messages older than this are dropped. @default 600000 (10 minutes) */
  maxAgeMs: number
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxMessages: 1000, maxAgeMs: 10 * 60_000 }

export interface StoredMessage {
  id: MessageId
  data: string
}

/** What a resuming client can be given. */
export interface HistoryRead {
  /**
   * The newest id that history no longer holds (`0-0` when nothing was dropped): messages after
   * `since` up to this one are lost to the reader. Equal to `since` when nothing is missing.
   */
  dropped: MessageId
  /** The newest id the channel has given out, `0-0` when none. */
  last: MessageId
  /** The messages after `since` that history still holds, oldest first. */
  messages: StoredMessage[]
}

/** The later of two ids. */
export function laterId(a: MessageId, b: MessageId): MessageId {
  return compareMessageIds(a, b) >= 0 ? a : b
}

/** Whether a reader that last saw `since` missed messages history no longer holds. */
export function hasGap(read: HistoryRead, since: MessageId): boolean {
  return compareMessageIds(read.dropped, since) > 0
}

/**
 * The last id before `epochMs`, when a history began (a process started, or a Redis lost its data):
 * every id up to it is unknown to that history, so counts as dropped. Its sequence is the largest
 * that resume parameters carry (15 digits).
 */
export function beforeEpoch(epochMs: number): MessageId {
  return `${epochMs - 1}-999999999999999`
}

/** The id after `last` for a message published at `nowMs`: Redis's rule for stream ids. */
export function nextMessageId(last: MessageId, nowMs: number): MessageId {
  const [ms = 0, seq = 0] = last.split('-').map(Number)
  return nowMs > ms ? `${nowMs}-0` : `${ms}-${seq + 1}`
}

interface Ring {
  entries: Array<StoredMessage & { atMs: number }>
  last: MessageId
  dropped: MessageId
}

/**
 * Per-channel history in memory: a bounded list per channel, trimmed by count and age. Ids from
 * before this process started are unknown to it, so they count as dropped (a restart is a gap).
 */
export class MemoryHistory {
  private readonly channels = new Map<string, Ring>()
  private readonly limits: HistoryLimits
  private readonly bornBefore: MessageId

  constructor(
    limits: Partial<HistoryLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_HISTORY_LIMITS, ...limits }
    this.bornBefore = beforeEpoch(now())
  }

  /** Stores `data` under a new id and returns it. */
  append(channel: string, data: string): MessageId {
    const ring = this.ring(channel)
    const atMs = this.now()
    const id = nextMessageId(ring.last, atMs)
    ring.entries.push({ id, data, atMs })
    ring.last = id
    this.trim(ring)
    return id
  }

  /** The messages after `since` that are still held (none without `since`), and what was dropped. */
  read(channel: string, since?: MessageId): HistoryRead {
    const ring = this.channels.get(channel)
    if (!ring) return { dropped: this.bornBefore, last: '0-0', messages: [] }
    this.trim(ring)
    const messages = since === undefined ? [] : ring.entries.filter((m) => compareMessageIds(m.id, since) > 0).map(({ id, data }) => ({ id, data }))
    return { dropped: ring.dropped, last: ring.last, messages }
  }

  /** Messages held, over all channels. */
  get held(): number {
    let count = 0
    for (const ring of this.channels.values()) count += ring.entries.length
    return count
  }

  /** Trims every channel by count and age, so messages of quiet channels age out too. */
  trimAll(): void {
    for (const ring of this.channels.values()) this.trim(ring)
  }

  private ring(channel: string): Ring {
    let ring = this.channels.get(channel)
    if (!ring) this.channels.set(channel, (ring = { entries: [], last: '0-0', dropped: this.bornBefore }))
    return ring
  }

  private trim(ring: Ring): void {
    const oldestMs = this.now() - this.limits.maxAgeMs
    let cut = 0
    while (cut < ring.entries.length && (ring.entries.length - cut > this.limits.maxMessages || (ring.entries[cut]?.atMs ?? 0) < oldestMs)) cut++
    if (cut === 0) return
    ring.dropped = ring.entries[cut - 1]?.id ?? ring.dropped
    ring.entries.splice(0, cut)
  }
}
