import { ALLOWED, REFUSAL, refusal } from '../protocol/close-codes.js'
import type { Verdict } from '../protocol/close-codes.js'
import { CONTROL_CHANNEL, DASHBOARD_CHANNEL } from '../protocol/control.js'
import type { ChannelRuleSet } from './channel-rules.js'
import type { Audience, MatchedRule } from './channel-rules.js'
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

  /** `operator`: the socket was let in by the operator's token (the dashboard), and may read its channel only. */
  async subscribe(who: string | null, channel: string | null, operator = false): Promise<Verdict> {
    if (operator || channel === DASHBOARD_CHANNEL) return operator && channel === DASHBOARD_CHANNEL ? ALLOWED : refusal(REFUSAL.forbidden, `only the operator may read ${DASHBOARD_CHANNEL}`)
    if (channel === null) return ALLOWED // Dallinger allows a socket without a channel: it can only send.
    // No frame can ever be published to a name with a colon (frames split at the first one).
    if (channel.includes(':')) return refusal(REFUSAL.unknownChannel, `no channel ${channel.slice(0, 60)}`)
    return this.check(who, channel, 'read', this.rules.match(channel))
  }

  /**
   * Whether `who` may publish `payload` (the text after `channel:`) on `channel`: the channel's rule,
   * its experiment-only types, and no claim to be someone else (`sender` or `participant_id` naming
   * another participant, the fields Dallinger's experiments attribute a message by).
   */
  async publish(who: string | null, channel: string, payload: string): Promise<Verdict> {
    const matched = this.rules.match(channel)
    const verdict = await this.check(who, channel, 'write to', matched)
    if (!verdict.ok) return verdict
    const reserved = matched?.rule.experimentOnly
    // Every object payload is read: a key can be spelled with escapes ("s\u0065nder"), so no text
    // search can tell whether it names a sender.
    const message = payload.trimStart().startsWith('{') ? objectOf(payload) : undefined
    if (!message) return verdict
    for (const field of SENDER_FIELDS) {
      const claimed = message[field]
      // Anything but the socket's own participant (or nothing): Python would attribute the message by it (`true`, a list…).
      if (claimed !== undefined && claimed !== null && !((typeof claimed === 'string' || typeof claimed === 'number') && String(claimed) === who)) {
        return refusal(REFUSAL.forbidden, `${field} ${String(claimed).slice(0, 40)} is not you (${who === null ? 'no participant' : `participant ${who}`})`)
      }
    }
    const { type } = message
    if (typeof type === 'string' && reserved?.includes(type)) return refusal(REFUSAL.forbidden, `only the experiment may send ${type} on ${channel}`)
    return verdict
  }

  private async check(who: string | null, channel: string, verb: Verb, matched: MatchedRule | undefined): Promise<Verdict> {
    if (channel === CONTROL_CHANNEL || channel === DASHBOARD_CHANNEL) return refusal(REFUSAL.forbidden, `only the server may ${verb} ${channel}`)
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

/** The fields by which Dallinger's `Experiment` attributes a message to a participant. */
const SENDER_FIELDS = ['sender', 'participant_id'] as const

/**
 * The payload as a JSON object, or undefined (Dallinger relays any text, so other payloads pass).
 * Python's json.loads also takes NaN and Infinity, which JSON.parse refuses: such a payload is read
 * with them as null, so that a Dallinger consumer cannot be handed what the checks never saw.
 */
function objectOf(payload: string): Record<string, unknown> | undefined {
  for (const text of [payload, payload.replace(/-?\b(?:NaN|Infinity)\b/g, 'null')]) {
    try {
      const value = JSON.parse(text) as unknown
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
    } catch {
      // Not JSON as JavaScript reads it; try as Python would, then give up.
    }
  }
  return undefined
}

function assertNever(value: never): never {
  throw new Error(`unexpected audience ${String(value)}`)
}
