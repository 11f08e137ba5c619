import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'

/** How much history each channel, and the whole server, keeps for clients that resume. */
export interface HistoryLimits {
  /** Messages kept per channel, newest first out last. @default 1000 */
  maxMessages: number
  /** Messages older than this are dropped. @default 600000 (10 minutes) */
  maxAgeMs: number
  /**
   * Bytes of history kept over all channels together, each message counted as its payload's UTF-8
   * bytes plus {@link MESSAGE_OVERHEAD_BYTES}. Past it, the oldest messages of the channel written
   * least recently go first. @default 67108864 (64 MiB)
   */
  maxBytes: number
  /**
   * Channels with history, over the whole server. Past it, the channel written least recently is
   * forgotten whole. @default 10000
   */
  maxChannels: number
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxMessages: 1000, maxAgeMs: 10 * 60_000, maxBytes: 64 * 1024 * 1024, maxChannels: 10_000 }

/**
 * What each stored message costs on top of its payload, in the byte count of `maxBytes`: its id, its
 * time and its place in the list. Without it, many tiny messages would hold far more than `maxBytes`.
 */
export const MESSAGE_OVERHEAD_BYTES = 64

/** What a history holds over all channels (a broker's `historyStats()`). */
export interface HistoryStats {
  /** Bytes held, counted as for `maxBytes`. */
  bytes: number
  /** Channels with history. */
  channels: number
}

export interface StoredMessage {
  id: MessageId
  data: string
  /** The participant bound to the socket that sent it, if one did (kept in Redis history only). */
  from?: string
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
  const dash = last.indexOf('-')
  const ms = Number(last.slice(0, dash))
  return nowMs > ms ? `${nowMs}-0` : `${ms}-${Number(last.slice(dash + 1)) + 1}`
}
