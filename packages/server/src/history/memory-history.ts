import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'
import { DEFAULT_HISTORY_LIMITS, MESSAGE_OVERHEAD_BYTES, beforeEpoch, laterId, nextMessageId } from './history.js'
import type { HistoryLimits, HistoryRead, HistoryStats, StoredMessage } from './history.js'
import type { ReplayLimits } from './replay-limits.js'

interface Entry extends StoredMessage {
  atMs: number
  /** What it counts for `maxBytes`. */
  cost: number
}

interface Ring {
  entries: Entry[]
  last: MessageId
  dropped: MessageId
  bytes: number
}

/** How much one read may return: the newest messages after `since` that fit. */
export type ReadBound = Pick<ReplayLimits, 'maxMessages' | 'maxBytes'>

/**
 * Per-channel history in memory: a bounded list per channel, trimmed by count and age, and bounded
 * over all channels in bytes and in channels, the channel written least recently giving way first.
 * Ids from before this process started are unknown to it, so they count as dropped (a restart is a
 * gap); so do the ids of channels it forgot whole.
 */
export class MemoryHistory {
  // In order of last write, least recent first: the order in which channels give way.
  private readonly channels = new Map<string, Ring>()
  private readonly limits: HistoryLimits
  // Every id up to this is unknown to a channel that has no ring: from before this process, or of a forgotten channel.
  private unknownBefore: MessageId
  private bytes = 0
  private newest: Ring | undefined

  constructor(
    limits: Partial<HistoryLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_HISTORY_LIMITS, ...limits }
    this.unknownBefore = beforeEpoch(now())
  }

  /** Stores `data` under a new id and returns it. */
  append(channel: string, data: string): MessageId {
    const ring = this.channels.get(channel) ?? { entries: [], last: this.unknownBefore, dropped: this.unknownBefore, bytes: 0 }
    // Re-inserted, so the map stays ordered by last write (unless it is the last written already: a burst on one channel).
    if (ring !== this.newest) {
      this.channels.delete(channel)
      this.channels.set(channel, ring)
      this.newest = ring
    }
    const atMs = this.now()
    // A forgotten channel's ids are unknown, not free: a new ring's ids come after them.
    const id = nextMessageId(ring.last, atMs)
    const cost = Buffer.byteLength(data) + MESSAGE_OVERHEAD_BYTES
    ring.entries.push({ id, data, atMs, cost })
    ring.last = id
    ring.bytes += cost
    this.bytes += cost
    this.trim(ring)
    this.evict(channel)
    return id
  }

  /**
   * The messages after `since` that are still held (none without `since`), and what was dropped.
   * With `bound`, only the newest messages that fit are returned, and the older rest counts as dropped.
   */
  read(channel: string, since?: MessageId, bound?: ReadBound): HistoryRead {
    const ring = this.channels.get(channel)
    if (!ring) return { dropped: this.unknownBefore, last: '0-0', messages: [] }
    this.trim(ring)
    if (since === undefined) return { dropped: ring.dropped, last: ring.last, messages: [] }
    const maxMessages = bound?.maxMessages ?? Infinity
    const maxBytes = bound?.maxBytes ?? Infinity
    let first = ring.entries.length
    let bytes = 0
    // From the newest back: the replay is the end of the history, so what it leaves out is a gap after `since`.
    for (let entry = ring.entries[first - 1]; entry && compareMessageIds(entry.id, since) > 0; entry = ring.entries[first - 1]) {
      bytes += entry.cost - MESSAGE_OVERHEAD_BYTES
      if (ring.entries.length - first >= maxMessages || bytes > maxBytes) break
      first -= 1
    }
    const cut = ring.entries[first - 1]
    const dropped = cut && compareMessageIds(cut.id, since) > 0 ? laterId(ring.dropped, cut.id) : ring.dropped
    return { dropped, last: ring.last, messages: ring.entries.slice(first).map(({ id, data }) => ({ id, data })) }
  }

  /** Messages held, over all channels. */
  get held(): number {
    let count = 0
    for (const ring of this.channels.values()) count += ring.entries.length
    return count
  }

  /** Bytes and channels held, over all channels. */
  stats(): HistoryStats {
    return { bytes: this.bytes, channels: this.channels.size }
  }

  /** Trims every channel by count and age, so messages of quiet channels age out too. */
  trimAll(): void {
    for (const ring of this.channels.values()) this.trim(ring)
  }

  private trim(ring: Ring): void {
    const oldestMs = this.now() - this.limits.maxAgeMs
    let cut = 0
    while (cut < ring.entries.length && (ring.entries.length - cut > this.limits.maxMessages || (ring.entries[cut]?.atMs ?? 0) < oldestMs)) cut++
    this.drop(ring, cut)
  }

  /** Drops the oldest `count` entries of `ring`, remembering the newest of them as dropped. */
  private drop(ring: Ring, count: number): void {
    if (count === 0) return
    // Usually one, the oldest, as each new message comes: shifted off without an array of the gone.
    const oldest = count === 1 ? ring.entries.shift() : undefined
    if (oldest) {
      ring.dropped = oldest.id
      ring.bytes -= oldest.cost
      this.bytes -= oldest.cost
      return
    }
    const gone = ring.entries.splice(0, count)
    ring.dropped = gone[gone.length - 1]?.id ?? ring.dropped
    for (const { cost } of gone) ring.bytes -= cost
    for (const { cost } of gone) this.bytes -= cost
  }

  /**
   * Back under the server-wide bounds after a write to `current`: the channel written least recently
   * loses its oldest messages, and is forgotten once it has none; `current` gives way last.
   */
  private evict(current: string): void {
    while (this.channels.size > this.limits.maxChannels || this.bytes > this.limits.maxBytes) {
      const [channel, ring] = this.leastRecent(current)
      if (this.channels.size > this.limits.maxChannels || (ring.entries.length === 0 && channel !== current)) {
        this.forget(channel, ring)
        continue
      }
      // Only `current` is left with messages (or it is the least recent): it gives up its oldest.
      if (ring.entries.length === 0) return
      this.drop(ring, 1)
      if (ring.entries.length === 0 && channel !== current) this.forget(channel, ring)
    }
  }

  /** The channel written least recently, `current` only when it is the only one. */
  private leastRecent(current: string): [string, Ring] {
    for (const pair of this.channels) if (pair[0] !== current) return pair
    const ring = this.channels.get(current)
    if (!ring) throw new Error('evicting with no channel')
    return [current, ring]
  }

  /** Forgets `channel` whole; its ids become unknown, so a reader who is behind gets a gap. */
  private forget(channel: string, ring: Ring): void {
    this.drop(ring, ring.entries.length)
    this.channels.delete(channel)
    if (this.newest === ring) this.newest = undefined
    this.unknownBefore = laterId(this.unknownBefore, ring.last)
  }
}
