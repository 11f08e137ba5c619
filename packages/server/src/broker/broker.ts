import type { MessageId } from '@switchboard/client'
import type { HistoryRead, HistoryStats } from '../history/history.js'
import type { ReplayGateStatus } from '../history/replay-gate.js'
import type { Sender } from '../history/send-window.js'

/**
 * Receives each message published to a channel: the payload (the text after `channel:`) and its id,
 * which is missing only for a message published straight into Redis by another program.
 */
export type BrokerListener = (data: string, id: MessageId | undefined, from?: string) => void

/**
 * Told that messages of a channel after `after`, up to `until`, will never arrive: a broker that lost
 * touch with the others (Redis away) and whose history no longer holds all it missed.
 */
export type GapListener = (after: MessageId, until: MessageId) => void

/**
 * A message this process published and stored, with the id it got, or relayed without history at the
 * experiment's wish (`relayOnly(…, { announce: true })`, no id): for the session's record.
 */
export interface PublishedMessage {
  channel: string
  data: string
  /** Undefined for a message relayed without history. */
  id: MessageId | undefined
  /** The participant bound to the socket that sent it; undefined for the experiment's and the server's own. */
  from: string | undefined
}

/** `announce`: tell `onPublished` listeners (the experiment's messages are; the server's own presence and figures are not). */
export interface RelayOptions {
  announce?: boolean
}

/** What became of a publish: stored and relayed, dropped as a re-sent duplicate, or lost (Redis away). */
export type PublishOutcome = 'published' | 'duplicate' | 'lost'

/** What a broker tells operators (GET /status). */
export interface BrokerStatus {
  kind: 'memory' | 'redis'
  connected: boolean
  /** Times the connection to Redis was lost. */
  outages: number
  /** Publishes that failed while Redis was unreachable (their messages were lost). */
  lostPublishes: number
  /**
   * The last outage, once it ended: when, how long, how many channels were resubscribed, how many
   * messages they had missed and got from history, and on how many history no longer held all of it.
   */
  lastOutage?: { startedAt: string; durationMs: number; channels: number; recovered?: number; gaps?: number }
  /** History held over all channels (memory mode; in Redis mode, see `RedisBackend.historyStats()`). */
  history?: HistoryStats
  /** This process's replays for resuming sockets: running, waiting, and the most at once. */
  replays?: ReplayGateStatus
  /** Dallinger mode: whether this process adopts raw publishes now, how many it adopted, and how many went out without an id. */
  adoption?: { adopter: boolean; adopted: number; unadopted: number }
}

/**
 * Fan-out between sockets and the experiment, with per-channel history. Channel names are raw (no
 * prefix), as in Dallinger's Redis. Messages on one channel reach every listener in publish order,
 * which is also the order of their ids.
 */
export interface Broker {
  /**
   * Listens to `channel`; resolves, once messages published from now on will arrive, with the function
   * that stops listening. After an outage, what was missed arrives from history, late but in order;
   * what history no longer holds is reported to `onGap`.
   */
  subscribe(channel: string, listener: BrokerListener, onGap?: GapListener): Promise<() => void>
  /**
   * Gives `data` an id, keeps it in the channel's history and relays it. With `sender`, a message the
   * session already published is not published again ('duplicate'). `from` is the participant bound to
   * the socket that sent it, handed to every listener (the experiment attributes messages by it); it is
   * not part of the message and not kept in history. Never rejects.
   */
  publish(channel: string, data: string, sender?: Sender, from?: string): Promise<PublishOutcome>
  /**
   * Counts `sender`'s frame as handled without publishing it (the server refused it), so that the same
   * frame sent again later is dropped as a duplicate, never published after its receipt failed.
   */
  forgo(sender: Sender): Promise<void>
  /**
   * Relays `data` without an id and without keeping it in history: for state of which only the latest
   * matters (a roster), so that it never fills the history a resuming reader is replayed. A resuming
   * reader that was away gets the next one instead. Never rejects.
   */
  relayOnly(channel: string, data: string, options?: RelayOptions): Promise<PublishOutcome>
  /**
   * The channel's history after `since` (nothing without it), its newest id and what was dropped. A
   * read with `since` is a replay: bounded in messages and bytes (the newest are kept, the older rest
   * counts as dropped), and only so many run at once in a process, the others waiting their turn.
   */
  history(channel: string, since?: MessageId): Promise<HistoryRead>
  /**
   * Calls `listener` with each message this process publishes into history, once stored, and each one
   * it relays with `announce`; returns the function that stops it.
   */
  onPublished(listener: (message: PublishedMessage) => void): () => void
  /**
   * Every message history still holds that was stored at `sinceMs` or later, on every channel, with
   * its sender: what a process killed before recording it can be recovered from. Only a broker whose
   * history outlives its process (Redis) has it.
   */
  storedSince?(sinceMs: number): Promise<PublishedMessage[]>
  status(): BrokerStatus
  close(): Promise<void>
}

/** Hands `message` to an `onPublished` listener; one that throws cannot fail the publish. */
export function notify(listener: (message: PublishedMessage) => void, message: PublishedMessage): void {
  try {
    listener(message)
  } catch {
    // The record reports its own failures (GET /status).
  }
}
