import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'
import type { Broker } from '../broker/broker.js'
import { hasGap, laterId } from '../history/history.js'
import { extensionFrame } from './extension-frames.js'
import type { ResumeRequest } from './resume-request.js'

/**
 * Subscribes a resuming socket: live messages are held while history after `since` is read and sent,
 * then released, each message once, in id order. Sends `hello` first and `gap` when history no
 * longer covers everything after `since`. Resolves with the function that unsubscribes.
 */
export async function subscribeResuming(broker: Broker, channel: string, request: ResumeRequest, send: (frame: string) => void, maxFrameBytes: number): Promise<() => void> {
  // A first connection starts at the channel's newest id, read before subscribing: whatever comes
  // after it arrives live or from history, never neither.
  let since = request.since
  if (since === undefined) {
    const head = await broker.history(channel)
    since = laterId(head.last, head.dropped)
  }
  let held: Array<[string, MessageId | undefined]> | undefined = []
  let last = since
  const forward = (data: string, id: MessageId | undefined): void => {
    if (id !== undefined) {
      if (compareMessageIds(id, last) <= 0) return
      last = id
    }
    send(extensionFrame.message(channel, data, id))
  }
  const unsubscribe = await broker.subscribe(channel, (data, id) => (held ? held.push([data, id]) : forward(data, id)))
  try {
    const read = await broker.history(channel, since)
    last = laterId(since, read.dropped)
    send(extensionFrame.hello(last, maxFrameBytes))
    if (hasGap(read, since)) send(extensionFrame.gap(since, last))
    for (const { id, data } of read.messages) forward(data, id)
    for (const [data, id] of held) forward(data, id)
  } catch (error) {
    unsubscribe()
    throw error
  } finally {
    held = undefined
  }
  return unsubscribe
}
