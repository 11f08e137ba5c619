import type { Limits } from './limits.js'

interface Held {
  sockets: number
  channels: Map<string, number>
}

/**
 * The sockets and distinct channels each participant holds in this process, against
 * `connectionsPerParticipant` and `channelsPerParticipant`. Sockets bound to no participant are not counted.
 */
export class SocketQuota {
  private readonly held = new Map<string, Held>()

  constructor(private readonly limits: Pick<Limits, 'connectionsPerParticipant' | 'channelsPerParticipant'>) {}

  /** Why one more socket for this participant on `channel` would be too many, if it would. */
  exceededBy(participant: string | null, channel: string | null): string | undefined {
    const here = participant === null ? undefined : this.held.get(participant)
    if (!here) return undefined
    const { connectionsPerParticipant, channelsPerParticipant } = this.limits
    if (here.sockets >= connectionsPerParticipant) return `more than ${connectionsPerParticipant} sockets for one participant`
    if (channel !== null && !here.channels.has(channel) && here.channels.size >= channelsPerParticipant) {
      return `more than ${channelsPerParticipant} channels for one participant`
    }
    return undefined
  }

  enter(participant: string | null, channel: string | null): void {
    if (participant === null) return
    const here = this.held.get(participant) ?? { sockets: 0, channels: new Map<string, number>() }
    this.held.set(participant, here)
    here.sockets += 1
    if (channel !== null) here.channels.set(channel, (here.channels.get(channel) ?? 0) + 1)
  }

  leave(participant: string | null, channel: string | null): void {
    const here = participant === null ? undefined : this.held.get(participant)
    if (!here || participant === null) return
    here.sockets -= 1
    if (channel !== null) {
      const left = (here.channels.get(channel) ?? 1) - 1
      if (left > 0) here.channels.set(channel, left)
      else here.channels.delete(channel)
    }
    if (here.sockets <= 0) this.held.delete(participant)
  }
}
