import type { MessageId } from '@switchboard/client'

/** Server-to-client frames of the extension: `:` and a JSON object (no channel is named ""). */
export const extensionFrame = {
  /** The first frame: where delivery resumes, the server's clock, and the largest frame it publishes. */
  hello: (last: MessageId, maxFrameBytes: number) => `:{"type":"hello","v":1,"last":"${last}","now":${Date.now()},"maxFrameBytes":${maxFrameBytes}}`,
  gap: (since: MessageId, last: MessageId) => `:{"type":"gap","since":"${since}","last":"${last}"}`,
  ack: (seq: number) => `:{"type":"ack","seq":${seq}}`,
  /** The answer to a heartbeat: its id and the server's clock. */
  pong: (id: number) => `:{"type":"pong","id":${id},"now":${Date.now()}}`,
  /** Frame `seq` was not published and never will be, and why (a close code and its reason). */
  nack: (seq: number, code: number, reason: string) => `:${JSON.stringify({ type: 'nack', seq, code, reason })}`,
  /** Who is on the socket's channel now, by participant: the answer to a presence request. */
  presence: (present: readonly string[]) => `:${JSON.stringify({ type: 'presence', present })}`,
  /** A participant came to the socket's channel, or left it (after the grace period). */
  presenceEvent: (type: 'join' | 'leave', participant: string) => `:${JSON.stringify({ type, participant })}`,
  /** A message: its id, a space, then the plain frame. Without an id (published by another program into Redis), the plain frame. */
  message: (channel: string, data: string, id: MessageId | undefined) => (id === undefined ? `${channel}:${data}` : `${id} ${channel}:${data}`),
}

/** An extension frame from the client (the empty channel), read; undefined for anything unknown, which is ignored. */
export type ClientFrame = { type: 'ping'; id: number } | { type: 'presence' }

export function readClientFrame(payload: string): ClientFrame | undefined {
  try {
    const frame = JSON.parse(payload) as { type?: unknown; id?: unknown } | null
    if (frame?.type === 'ping' && Number.isSafeInteger(frame.id)) return { type: 'ping', id: frame.id as number }
    if (frame?.type === 'presence') return { type: 'presence' }
  } catch {
    // Not JSON: nothing the extension knows.
  }
  return undefined
}
