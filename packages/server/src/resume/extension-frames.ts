import type { MessageId } from '@switchboard/client'

/** Server-to-client frames of the extension: `:` and a JSON object (no channel is named ""). */
export const extensionFrame = {
  hello: (last: MessageId) => `:{"type":"hello","v":1,"last":"${last}"}`,
  gap: (since: MessageId, last: MessageId) => `:{"type":"gap","since":"${since}","last":"${last}"}`,
  ack: (seq: number) => `:{"type":"ack","seq":${seq}}`,
  /** A message: its id, a space, then the plain frame. Without an id (published by another program into Redis), the plain frame. */
  message: (channel: string, data: string, id: MessageId | undefined) => (id === undefined ? `${channel}:${data}` : `${id} ${channel}:${data}`),
}
