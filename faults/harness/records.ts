import type { SendStatus } from '@switchboard/client'

/**
 * What a numbered stream sends: sender `from`'s number `n` of stream run `run`, written at `t` (ms
 * since the epoch). A type, not an interface, so that it is a client `Payload` (an object with string keys).
 */
export type Numbered = {
  type: 'n'
  run: string
  from: string
  n: number
  t: number
}

/** One numbered message as a receiving channel got it. */
export interface Delivery {
  run: string
  from: string
  n: number
  /** Its message id (resume extension), undefined on a plain socket. */
  id: string | undefined
  sentAt: number
  receivedAt: number
}

/** A gap the channel reported (`onGap`): messages after `since` up to `last` are gone. */
export interface GapReport {
  since: string
  last: string
  /** How many deliveries the channel had made when it came. */
  afterDeliveries: number
}

/** A channel's `onError` report. */
export interface ErrorReport {
  code: string
  closeCode: number | undefined
  message: string
}

/** Everything one receiving channel saw. */
export interface ChannelRecord {
  /** The participant whose channel it is. */
  owner: string
  channel: string
  kind: 'broadcast' | 'whisper'
  /** The senders whose numbers this channel should get. */
  expectedFrom: string[]
  /** This run's numbered messages, in the order delivered. */
  deliveries: Delivery[]
  /** Numbered messages of another run (another participant who has this id, say), never tallied. */
  foreign: Delivery[]
  gaps: GapReport[]
  errors: ErrorReport[]
  /** Each state change, as `next(reason)` with the close code when there was one. */
  states: string[]
  /** How it ended, once it is closed: the reason, the close code that closed it, and when (ms since the epoch). */
  closed: { reason: string; closeCode: number | undefined; at: number } | undefined
}

/** One send and its receipt's outcome. */
export interface SendRecord {
  from: string
  target: string
  n: number
  /** The final status, once `settled` resolved. */
  settled: SendStatus | undefined
  /** The error of a failed send, e.g. `CHANNEL_CLOSED` or `REJECTED 4403`. */
  error: string | undefined
}

/** What a stream run produced. */
export interface StreamResult {
  mode: 'resume' | 'plain'
  /** Per sender, how many numbers it sent (1..count). */
  sentBy: Map<string, number>
  channels: ChannelRecord[]
  sends: SendRecord[]
}
