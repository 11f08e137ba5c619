import type { SharedState } from '../state/shared-state.js'

const roomKey = (room: string) => `room:${room}`

/**
 * Who belongs to which room (a channel whose rule says `members`), as the experiment recorded it.
 * Kept in the shared state, so every process checks the same membership.
 */
export class RoomMembership {
  constructor(private readonly state: SharedState) {}

  /** Records the members of `room`, replacing any earlier list. Sockets are checked against it from now on. */
  async set(room: string, participantIds: ReadonlyArray<string | number>): Promise<void> {
    await this.state.set(roomKey(room), JSON.stringify(participantIds.map(String)))
  }

  /** The members of `room`; undefined when the experiment never created it. */
  async members(room: string): Promise<string[] | undefined> {
    const stored = await this.state.get(roomKey(room))
    return stored === undefined ? undefined : (JSON.parse(stored) as string[])
  }
}
