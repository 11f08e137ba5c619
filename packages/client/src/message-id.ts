/**
 * Message ids of the resume extension: `<ms>-<seq>` (a Redis stream id), per channel, increasing in
 * the order the channel's messages are published. `0-0` is "before every message".
 */
export type MessageId = string

/** Orders two message ids: negative when `a` comes first, 0 when equal, positive when `a` comes after `b`. */
export function compareMessageIds(a: MessageId, b: MessageId): number {
  // On the hot path of every resumed message: no arrays.
  const i = a.indexOf('-')
  const j = b.indexOf('-')
  return +a.slice(0, i) - +b.slice(0, j) || +a.slice(i + 1) - +b.slice(j + 1)
}
