import type { ChannelRules } from '../access/channel-rules.js'
import type { Log } from '../log.js'
import type { ConnectionQuality, PresenceEvent } from '../resume/presence.js'
import type { SharedState } from '../state/shared-state.js'

/** Where a message came from. */
export interface MessageContext {
  /** The channel it was published on: the experiment's own, or `dallinger_control` for connection events. */
  channel: string
  /**
   * The participant bound to the socket that sent the message, in every process; for what no
   * participant's socket sent, the payload's `sender`, else its `participant_id`, else the control
   * event's client; null if none.
   */
  participantId: string | null
  /** The payload text exactly as published. */
  raw: string
}

/** How the experiment publishes one message. */
export interface PublishOptions {
  /**
   * Keep it in the channel's history, to be replayed to readers that were away. Turn it off for state
   * of which only the latest matters, such as a roster, so that churn cannot fill the history.
   * @default true
   */
  history?: boolean
}

/** What an experiment can do on the server side; `start(api)` hands it over. */
export interface ExperimentApi {
  /**
   * Publishes `payload` (an object is JSON-encoded) to `channel`, by default the experiment's own. The
   * channel rules do not apply to the experiment: it may publish anywhere, experiment-only types included.
   * @example api.publishToSubscribers({ type: 'reveal', round: 1, picks }, 'participant_7_channel')
   */
  publishToSubscribers(payload: object | string, channel?: string, options?: PublishOptions): void
  /**
   * Records who may use `room`, a channel whose rule says `members`. Resolves once every server
   * process will admit them, so announce the room after it.
   * @example await api.setMembers('room_1', ['7', '8'])
   */
  setMembers(room: string, participantIds: ReadonlyArray<string | number>): Promise<void>
  /**
   * A new room for `participantIds`, named `<prefix>_<id>` with an id never given out before, not even
   * by a run of the experiment that crashed or lost its state, so no one is ever put in an old room.
   * Resolves with its name once every process admits its members, so announce it after. Its members'
   * resuming sockets are replayed what was said in it from its creation, however late they come.
   * @example const room = await api.createRoom(['7', '8']) // 'room_29514880231'
   */
  createRoom(participantIds: ReadonlyArray<string | number>, prefix?: string): Promise<string>
  /** Participants with at least one open socket (on any process), in the order they first connected. */
  participants(): string[]
  /**
   * Who is on `channel`, by participant (several tabs are one), on every process; a participant whose
   * last socket closed stays for the grace period (10 s by default), so a reconnect is no leave.
   */
  presence(channel: string): string[]
  /** A participant's connection: the RTT of its last protocol ping, and how often it reconnected (over every process). */
  connectionOf(participantId: string | number): ConnectionQuality | undefined
  /** The channels a participant has a socket on, e.g. to wait until its private channel is open. */
  channelsOf(participantId: string | number): string[]
  /**
   * The server's clock (ms since the epoch): the time pages see through `createServerClock` (and the
   * one message ids carry in memory mode; in Redis mode they carry Redis's, so keep clocks in sync).
   * Stamp deadlines with it: `{ startsAt: api.now() + 3000 }`.
   */
  now(): number
  /** Runs `callback` once the server's clock reaches `serverTime` (at once if it has); returns the function that cancels it. */
  at(serverTime: number, callback: () => void): () => void
  /** State shared by every server process. */
  state: SharedState
  log: Log
}

/**
 * The server-side counterpart of Dallinger's `Experiment`: subscribed to its `channel` and to
 * `dallinger_control`, it receives every other message there (its own echoes are filtered out). A
 * handler that throws is logged and the next message still arrives.
 * @example
 * let api: ExperimentApi
 * export default {
 *   channel: 'experiment_channel',
 *   channelRules: [
 *     { channel: 'broadcast_channel', subscribe: 'everyone', publish: 'everyone', experimentOnly: ['score'] },
 *     { channel: 'experiment_channel', subscribe: 'experiment', publish: 'everyone' },
 *     { channel: 'participant_{id}_channel', subscribe: 'owner', publish: 'owner' },
 *   ],
 *   start(given) { api = given },
 *   receiveMessage(message, { channel, participantId }) {
 *     if (channel === 'dallinger_control') return // connections: see api.participants()
 *     if (message.type === 'answer' && participantId !== null) {
 *       api.publishToSubscribers({ type: 'score', participant: participantId, points: 1 }, 'broadcast_channel')
 *     }
 *   },
 * } satisfies Experiment
 */
export interface Experiment {
  /** The channel the experiment listens on, besides `dallinger_control`. */
  readonly channel: string
  /** Who may use which channel. @default the server's `channelRules` option, else the `standard` preset */
  readonly channelRules?: ChannelRules
  /** Called once, before any message, with what the experiment can do. */
  start?(api: ExperimentApi): void
  /**
   * Called with each JSON-object payload, in arrival order; control events (`websocket` connected or
   * disconnected, `channel` subscribed or unsubscribed) arrive with `channel: 'dallinger_control'`.
   */
  receiveMessage(message: Record<string, unknown>, context: MessageContext): void
  /**
   * Called when messages of `channel` after `after`, up to `until`, will never reach the experiment:
   * it was stopped (a crash, a restart) or cut off (Redis away) for longer than history reaches back.
   * Messages it missed that history still holds arrive through `receiveMessage`, late but in order.
   */
  missed?(hole: { channel: string; after: string; until: string }): void
  /** A participant came to a channel (its first socket there), or left it (no socket for the grace period). */
  presence?(event: PresenceEvent): void
}
