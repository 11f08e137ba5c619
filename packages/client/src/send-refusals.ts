import { SendError } from './errors.js'

// The ways a server turns a send down, each as the SendError the send fails with (docs/protocol.md,
// "Limits, heartbeat and refusals").

/** The length of `text` in UTF-8 bytes, which is what a server's frame limit counts. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length
}

/**
 * The refusal of `frame` when it is over `maxBytes` (the `maxFrameBytes` of the server's hello):
 * written, it would only be refused. Undefined when it fits.
 */
export function overLimit(frame: string, maxBytes: number): SendError | undefined {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only a frame that may be over is encoded and counted.
  if (frame.length * 3 <= maxBytes || utf8Bytes(frame) <= maxBytes) return undefined
  return new SendError('FRAME_TOO_LARGE', `Not sent: over the server's ${maxBytes} bytes`, [frame], 1009, 'frame too large')
}

/** The server nacked `frame`: it will never publish it, for the reason a plain socket would have been closed with. */
export function nacked(frame: string, code: number, reason: string): SendError {
  return new SendError('REJECTED', `Refused by the server: ${code} ${reason}`, [frame], code, reason)
}

/** The server closed the socket at `frame` (1009, too large) twice in a row. */
export function closedAt(frame: string, reason: string): SendError {
  return new SendError('FRAME_TOO_LARGE', `Not sent: the server closed the socket at it twice (1009 ${reason})`, [frame], 1009, reason)
}
