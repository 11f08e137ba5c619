import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'
import { DEFAULT_HISTORY_LIMITS, beforeEpoch, nextMessageId } from './history.js'
import type { HistoryLimits, HistoryRead, StoredMessage } from './history.js'

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
