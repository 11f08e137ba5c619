import { compareMessageIds } from '@switchboard/client'
import type { MessageId } from '@switchboard/client'
import type { Broker } from './broker.js'
import { hasGap, laterId } from './history.js'

/**
 * The server side of the resume extension (docs/protocol.md). A socket opts in with `?sb=1`; a stock
 * Dallinger page never does, and sees the plain protocol only.
 */
export interface ResumeRequest {
  /** The last message id the client received on this channel; missing on its first connection. */
  since: MessageId | undefined
  /** The client's sender session, for acknowledged sends. */
  session: string
  /** The number the client gave the first frame it sends on this socket. */
  firstSeq: number
}

export const RESUME_PARAM = 'sb'
const ID = /^\d{1,15}-\d{1,15}$/
const SESSION = /^[A-Za-z0-9_-]{8,64}$/

/** The socket's resume request; undefined for a plain socket; an error message when malformed. */
export function resumeRequest(query: URLSearchParams): ResumeRequest | string | undefined {
  if (query.get(RESUME_PARAM) !== '1') return undefined
  const since = query.get('sb_since') ?? undefined
  const session = query.get('sb_session') ?? ''
  const firstSeq = Number(query.get('sb_seq') ?? '1')
  if (since !== undefined && !ID.test(since)) return 'sb_since is not a message id'
  if (!SESSION.test(session)) return 'sb_session must be 8 to 64 letters, digits, _ or -'
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1) return 'sb_seq must be a positive integer'
  return { since, session, firstSeq }
}

/** Server-to-client frames of the extension: `:` and a JSON object (no channel is named ""). */
export const extensionFrame = {
  hello: (last: MessageId) => `:{"type":"hello","v":1,"last":"${last}"}`,
  gap: (since: MessageId, last: MessageId) => `:{"type":"gap","since":"${since}","last":"${last}"}`,
  ack: (seq: number) => `:{"type":"ack","seq":${seq}}`,
  /** A message: its id, a space, then the plain frame. Without an id (published by another program into Redis), the plain frame. */
  message: (channel: string, data: string, id: MessageId | undefined) => (id === undefined ? `${channel}:${data}` : `${id} ${channel}:${data}`),
}

/**
 * Subscribes a resuming socket: live messages are held while history after `since` is read and sent,
 * then released, each message once, in id order. Sends `hello` first and `gap` when history no
 * longer covers everything after `since`. Resolves with the function that unsubscribes.
 */
export async function subscribeResuming(broker: Broker, channel: string, request: ResumeRequest, send: (frame: string) => void): Promise<() => void> {
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
    send(extensionFrame.hello(last))
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
