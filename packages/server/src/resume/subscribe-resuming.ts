import type { MessageId } from '@switchboard/client'
import type { Broker } from '../broker/broker.js'
import { laterId } from '../history/history.js'
import { extensionFrame } from './extension-frames.js'
import type { ResumeRequest } from './resume-request.js'
import { subscribeSince } from './subscribe-since.js'

/** How a message is framed for a resuming socket (`extensionFrame.message`, perhaps as bytes shared with others). */
export type MessageFramer = (channel: string, data: string, id: MessageId | undefined) => string | Buffer

/**
 * Subscribes a resuming socket: `hello` first, `gap` when history no longer covers everything after
 * `since` (then or after an outage), then every message once, in id order, with its id. Resolves with
 * the function that unsubscribes.
 */
export async function subscribeResuming(broker: Broker, channel: string, request: ResumeRequest, send: (frame: string | Buffer) => void, maxFrameBytes: number, frame: MessageFramer = extensionFrame.message): Promise<() => void> {
  // A first connection starts at the channel's newest id, read before subscribing: whatever comes
  // after it arrives live or from history, never neither.
  let since = request.since
  if (since === undefined) {
    const head = await broker.history(channel)
    since = laterId(head.last, head.dropped)
  }
  return subscribeSince(broker, channel, since, {
    ready: (last) => send(extensionFrame.hello(last, maxFrameBytes)),
    gap: (after, until) => send(extensionFrame.gap(after, until)),
    message: (data, id) => send(frame(channel, data, id)),
  })
}
