import type { MessageId } from '@switchboard/client'
import type { Broker } from '../broker/broker.js'
import { laterId } from '../history/history.js'
import type { SharedState } from '../state/shared-state.js'

const startKey = (channel: string) => `start:${channel}`

/**
 * Where a channel began, for channels that belong to someone from a moment on: a room from when the
 * experiment created it, a private channel from its participant's creation. A resuming socket's first
 * subscription to such a channel replays it from there, so a member whose socket came up late still
 * gets the first messages said in it. Kept in the shared state, so every process agrees.
 */
export class ChannelStarts {
  constructor(
    private readonly broker: Broker,
    private readonly state: SharedState,
  ) {}

  /** Records that `channel` begins now, after its newest id, unless it already has a start. */
  async mark(channel: string): Promise<void> {
    if ((await this.get(channel)) !== undefined) return
    const head = await this.broker.history(channel)
    await this.state.setIfAbsent(startKey(channel), laterId(head.last, head.dropped))
  }

  /** The id after which `channel` began; undefined for a channel with no recorded start. */
  get(channel: string): Promise<MessageId | undefined> {
    return this.state.get(startKey(channel))
  }
}
