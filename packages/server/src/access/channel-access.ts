import { ALLOWED, REFUSAL, refusal } from '../protocol/close-codes.js'
import type { Verdict } from '../protocol/close-codes.js'
import { CONTROL_CHANNEL } from '../protocol/control.js'
import type { ChannelRuleSet } from './channel-rules.js'
import type { Audience } from './channel-rules.js'
import type { RoomMembership } from './rooms.js'

type Verb = 'read' | 'write to'

/**
 * Who may read and write which channel, by the channel rules. `who` is the participant the socket is
 * bound to (null for none). `dallinger_control` is the server's alone, whatever the rules say.
 */
export class ChannelAccess {
  constructor(
    private readonly rules: ChannelRuleSet,
    private readonly rooms: RoomMembership,
  ) {}

  async subscribe(who: string | null, channel: string | null): Promise<Verdict> {
    if (channel === null) return ALLOWED // Dallinger allows a socket without a channel: it can only send.
    return this.check(who, channel, 'read')
  }

  async publish(who: string | null, channel: string): Promise<Verdict> {
    return this.check(who, channel, 'write to')
  }

  private async check(who: string | null, channel: string, verb: Verb): Promise<Verdict> {
    if (channel === CONTROL_CHANNEL) return refusal(REFUSAL.forbidden, `only the server may ${verb} ${CONTROL_CHANNEL}`)
    const matched = this.rules.match(channel)
    if (!matched) return refusal(REFUSAL.unknownChannel, `no channel ${channel}`)
    const { rule, owner } = matched
    const audience: Audience = verb === 'read' ? rule.subscribe : rule.publish
    switch (audience) {
      case 'everyone':
        return ALLOWED
      case 'owner':
        return owner === who ? ALLOWED : refusal(REFUSAL.forbidden, `only participant ${owner} may ${verb} ${channel}`)
      case 'experiment':
        // An inbox: anyone writes, only the experiment reads.
        if (verb === 'read' && rule.publish !== 'experiment') return refusal(REFUSAL.forbidden, `${channel} is write-only`)
        return refusal(REFUSAL.forbidden, `only the experiment may ${verb} ${channel}`)
      case 'members': {
        const members = await this.rooms.members(channel)
        if (members === undefined) return refusal(REFUSAL.unknownChannel, `no channel ${channel}`)
        return who !== null && members.includes(who) ? ALLOWED : refusal(REFUSAL.forbidden, `only members may ${verb} ${channel}`)
      }
      default:
        return assertNever(audience)
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected audience ${String(value)}`)
}
