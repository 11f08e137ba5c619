import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'
import type { Broker } from '../broker/broker.js'
import { hasGap, laterId } from '../history/history.js'

/** What a reader that catches up is handed, in this order: where it starts, any gap, then messages. */
export interface CatchingUpReader {
  /** History has been read: delivery goes on after `last`. */
  ready?(last: MessageId): void
  /** Messages after `after` up to `until` will never come (history lost them, then or in a later outage). */
  gap(after: MessageId, until: MessageId): void
  message(data: string, id: MessageId | undefined, from: string | undefined): void
}

/**
 * Subscribes a reader that last saw `since`: live messages are held while history after `since` is
 * read and handed over, then released, each message once, in id order. A broker's later gaps (an
 * outage) reach `gap` too. Resolves with the function that unsubscribes.
 */
export async function subscribeSince(broker: Broker, channel: string, since: MessageId, reader: CatchingUpReader): Promise<() => void> {
  let held: Array<[string, MessageId | undefined, string | undefined]> | undefined = []
  let last = since
  const forward = (data: string, id: MessageId | undefined, from: string | undefined): void => {
    if (id !== undefined) {
      if (compareMessageIds(id, last) <= 0) return
      last = id
    }
    reader.message(data, id, from)
  }
  const unsubscribe = await broker.subscribe(
    channel,
    (data, id, from) => (held ? held.push([data, id, from]) : forward(data, id, from)),
    (after, until) => {
      last = laterId(last, until)
      reader.gap(after, until)
    },
  )
  try {
    const read = await broker.history(channel, since)
    last = laterId(since, read.dropped)
    reader.ready?.(last)
    if (hasGap(read, since)) reader.gap(since, last)
    for (const { id, data, from } of read.messages) forward(data, id, from)
    for (const [data, id, from] of held) forward(data, id, from)
  } catch (error) {
    unsubscribe()
    throw error
  } finally {
    held = undefined
  }
  return unsubscribe
}
