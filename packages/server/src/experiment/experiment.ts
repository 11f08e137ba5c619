import type { ChannelRules } from '../access/channel-rules.js'
import type { Log } from '../log.js'
import type { SharedState } from '../state/shared-state.js'

/** Where a message came from. */
export interface MessageContext {
  channel: string
  /** From the payload's `sender`, else its `participant_id`, else the control event's client; null if none. */
  participantId: string | null
  /** The payload text exactly as published. */
  raw: string
}

/** What an experiment can do on the server side. */
export interface ExperimentApi {
  /** Publishes `payload` (an object is JSON-encoded) to `channel`, by default the experiment's own. */
  publishToSubscribers(payload: object | string, channel?: string): void
  /**
   * Records who may use `room`, a channel whose rule says `members`. Resolves once every server
   * process will admit them, so announce the room after it.
   */
  setMembers(room: string, participantIds: ReadonlyArray<string | number>): Promise<void>
  /** State shared by every server process. */
  state: SharedState
  log: Log
}

/**
 * The server-side counterpart of Dallinger's `Experiment`: subscribed to its `channel` and to
 * `dallinger_control`, it receives every other message there (its own echoes are filtered out).
 * @example
 * const experiment: Experiment = {
 *   channel: 'experiment_channel',
 *   receiveMessage(message, { participantId }) { … },
 * }
 */
export interface Experiment {
  /** The channel the experiment listens on, besides `dallinger_control`. */
  readonly channel: string
  /** Who may use which channel. @default the server's `channelRules` option, else the `standard` preset */
  readonly channelRules?: ChannelRules
  /** Called once, before any message, with what the experiment can do. */
  start?(api: ExperimentApi): void
  /** Called with each JSON-object payload, in arrival order; control events arrive with `channel: 'dallinger_control'`. */
  receiveMessage(message: Record<string, unknown>, context: MessageContext): void
}
