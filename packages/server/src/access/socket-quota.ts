import { RateLimiter } from './limits.js'
import type { Limits } from './limits.js'

/** The buckets every socket of one participant draws on, frames and bytes, so its fifth socket gives it no more room than its first. */
export interface Budget {
  readonly frames: RateLimiter
  readonly bytes: RateLimiter
}

interface Held {
  sockets: number
  /** Distinct channels. */
  channels: number
  /**
   * One of its channels and the sockets on it, here rather than in the quota's map: most participants have a
   * single channel, and so no key string nor entry of their own there. Null when it has none here.
   */
  firstChannel: string | null
  firstChannelSockets: number
  /** Made when one of its sockets first sends: a participant that only reads holds no buckets. */
  budget: Budget | undefined
}

// Length-prefixed, so that no two pairs share a key, whatever characters the names hold.
const key = (participant: string, channel: string) => `${participant.length}:${participant}${channel}`

/**
 * The sockets and distinct channels each participant holds in this process, against
 * `connectionsPerParticipant` and `channelsPerParticipant`, and the publish budget they share. Sockets
 * bound to no participant are not counted and share nothing.
 */
export class SocketQuota {
  private readonly held = new Map<string, Held>()
  // Sockets per participant and channel, for the channels beyond the one kept in its Held, in one Map for
  // all: a Map per participant would cost far more than its entries.
  private readonly onChannel = new Map<string, number>()

  constructor(private readonly limits: Pick<Limits, 'connectionsPerParticipant' | 'channelsPerParticipant' | 'participantFramesPerSecond' | 'participantBytesPerSecond'>) {}

  /** Why one more socket for this participant on `channel` would be too many, if it would. */
  exceededBy(participant: string | null, channel: string | null): string | undefined {
    const here = participant === null ? undefined : this.held.get(participant)
    if (!here || participant === null) return undefined
    const { connectionsPerParticipant, channelsPerParticipant } = this.limits
    if (here.sockets >= connectionsPerParticipant) return `more than ${connectionsPerParticipant} sockets for one participant`
    if (channel !== null && here.channels >= channelsPerParticipant && this.socketsOn(here, participant, channel) === 0) {
      return `more than ${channelsPerParticipant} channels for one participant`
    }
    return undefined
  }

  /** Counts one more socket (none without a participant). */
  enter(participant: string | null, channel: string | null): void {
    if (participant === null) return
    const here = this.held.get(participant) ?? { sockets: 0, channels: 0, firstChannel: null, firstChannelSockets: 0, budget: undefined }
    this.held.set(participant, here)
    here.sockets += 1
    if (channel === null) return
    const sockets = this.socketsOn(here, participant, channel)
    if (sockets === 0) here.channels += 1
    // Its first channel, or the one kept in its Held already, is kept there; any other goes in the Map.
    if (here.firstChannel === channel || (sockets === 0 && here.firstChannel === null)) {
      here.firstChannel = channel
      here.firstChannelSockets = sockets + 1
    } else this.onChannel.set(key(participant, channel), sockets + 1)
  }

  /** The publish budget of a participant with sockets here, shared by all of them; undefined for one without. */
  budget(participant: string | null): Budget | undefined {
    const here = participant === null ? undefined : this.held.get(participant)
    if (!here) return undefined
    const { participantFramesPerSecond: frames, participantBytesPerSecond: bytes } = this.limits
    return (here.budget ??= { frames: new RateLimiter(frames, 2 * frames), bytes: new RateLimiter(bytes, 4 * bytes) })
  }

  leave(participant: string | null, channel: string | null): void {
    const here = participant === null ? undefined : this.held.get(participant)
    if (!here || participant === null) return
    here.sockets -= 1
    if (channel !== null && this.leaveChannel(here, participant, channel)) here.channels -= 1
    if (here.sockets <= 0) this.held.delete(participant)
  }

  /** The participant's sockets on `channel`. */
  private socketsOn(here: Held, participant: string, channel: string): number {
    return here.firstChannel === channel ? here.firstChannelSockets : (this.onChannel.get(key(participant, channel)) ?? 0)
  }

  /** One socket fewer on `channel`; true when it was the participant's last there. */
  private leaveChannel(here: Held, participant: string, channel: string): boolean {
    if (here.firstChannel === channel) {
      here.firstChannelSockets -= 1
      if (here.firstChannelSockets > 0) return false
      here.firstChannel = null
      return true
    }
    const on = key(participant, channel)
    const left = (this.onChannel.get(on) ?? 1) - 1
    if (left > 0) {
      this.onChannel.set(on, left)
      return false
    }
    return this.onChannel.delete(on)
  }
}
