import { RateLimiter } from './limits.js'
import type { Limits } from './limits.js'

/** The buckets every socket of one participant draws on: frames and bytes. */
export interface Budget {
  readonly frames: RateLimiter
  readonly bytes: RateLimiter
}

interface Held extends Budget {
  sockets: number
}

/**
 * Publish budgets per participant, shared by all its sockets in this process: frames and bytes. The
 * relay's throttle draws on them beside each socket's own bucket, so a participant's fifth socket
 * gives it no more room than its first.
 */
export class ParticipantBudgets {
  private readonly held = new Map<string, Held>()

  constructor(private readonly limits: Pick<Limits, 'participantFramesPerSecond' | 'participantBytesPerSecond'>) {}

  /** The participant's budget, for one more of its sockets. */
  enter(participant: string): Budget {
    let budget = this.held.get(participant)
    if (!budget) {
      const { participantFramesPerSecond: frames, participantBytesPerSecond: bytes } = this.limits
      budget = { frames: new RateLimiter(frames, 2 * frames), bytes: new RateLimiter(bytes, 4 * bytes), sockets: 0 }
      this.held.set(participant, budget)
    }
    budget.sockets += 1
    return budget
  }

  /** One of its sockets is gone; the budget goes with the last. */
  leave(participant: string): void {
    const budget = this.held.get(participant)
    if (budget && --budget.sockets <= 0) this.held.delete(participant)
  }
}
