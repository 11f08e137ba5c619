/**
 * Message ids of the resume extension: `<ms>-<seq>` (a Redis stream id), per channel, increasing in
 * the order the channel's messages are published. `0-0` is "before every message".
 */
export type MessageId = string

/** Orders two message ids: negative when `a` comes first, 0 when equal, positive when `a` comes after `b`. */
export function compareMessageIds(a: MessageId, b: MessageId): number {
  const [ams = 0, aseq = 0] = a.split('-').map(Number)
  const [bms = 0, bseq = 0] = b.split('-').map(Number)
  return ams - bms || aseq - bseq
}
