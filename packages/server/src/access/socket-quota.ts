import { RateLimiter } from './limits.js'
import type { Limits } from './limits.js'

/** The buckets every socket of one participant draws on, frames and bytes, so its fifth socket gives it no more room than its first. */
export interface Budget {
  readonly frames: RateLimiter
  readonly bytes: RateLimiter
}

interface Held {
  sockets: number
  channels: Map<string, number>
  budget: Budget
}

/**
 * The sockets and distinct channels each participant holds in this process, against
 * `connectionsPerParticipant` and `channelsPerParticipant`, and the publish budget they share. Sockets
 * bound to no participant are not counted and share nothing.
 */
export class SocketQuota {
  private readonly held = new Map<string, Held>()

  constructor(private readonly limits: Pick<Limits, 'connectionsPerParticipant' | 'channelsPerParticipant' | 'participantFramesPerSecond' | 'participantBytesPerSecond'>) {}

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

  /** Counts one more socket; returns the participant's publish budget (none without a participant). */
  enter(participant: string | null, channel: string | null): Budget | undefined {
    if (participant === null) return undefined
    const here = this.held.get(participant) ?? { sockets: 0, channels: new Map<string, number>(), budget: this.newBudget() }
    this.held.set(participant, here)
    here.sockets += 1
    if (channel !== null) here.channels.set(channel, (here.channels.get(channel) ?? 0) + 1)
    return here.budget
  }

  private newBudget(): Budget {
    const { participantFramesPerSecond: frames, participantBytesPerSecond: bytes } = this.limits
    return { frames: new RateLimiter(frames, 2 * frames), bytes: new RateLimiter(bytes, 4 * bytes) }
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
