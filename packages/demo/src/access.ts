import { CONTROL_CHANNEL } from './control.js'
import type { SharedState } from './shared-state.js'

/** Close codes of refusals; the client treats 4400–4499 as final and does not reconnect. */
export const REFUSAL = {
  /** No valid credential for the claimed participant. */
  unauthorized: 4401,
  /** The channel exists but is not this participant's to read or write, or the page's origin is not allowed. */
  forbidden: 4403,
  /** The server knows no such channel. */
  unknownChannel: 4404,
  /** Too many sockets or channels for one participant. */
  tooMany: 4429,
} as const

export type Verdict = { ok: true } | { ok: false; code: number; reason: string }

const OK: Verdict = { ok: true }
const refuse = (code: number, reason: string): Verdict => ({ ok: false, code, reason })
const PRIVATE = /^participant_(.+)_channel$/

/** The channels an experiment exposes, besides private channels and rooms. */
export interface ChannelRules {
  /** Anyone may subscribe and publish, e.g. the broadcast channel. */
  open: readonly string[]
  /** Anyone may publish, nobody may subscribe: the experiment's inbox, where whispers pass. */
  inbox: readonly string[]
}

/** The membership of a room, kept in the shared state so every process can check it. */
export const roomKey = (room: string) => `room:${room}`

/**
 * Who may read and write which channel. `who` is the participant the socket is bound to (null for
 * none). Private channels belong to their participant; rooms to their members (as the experiment
 * recorded them); `dallinger_control` to the server alone; unknown channels to nobody.
 */
export class ChannelAccess {
  constructor(
    private readonly rules: ChannelRules,
    private readonly state: SharedState,
  ) {}

  async subscribe(who: string | null, channel: string | null): Promise<Verdict> {
    if (channel === null) return OK // Dallinger allows a socket without a channel: it can only send.
    if (this.rules.inbox.includes(channel)) return refuse(REFUSAL.forbidden, `${channel} is write-only`)
    return this.check(who, channel, 'read')
  }

  async publish(who: string | null, channel: string): Promise<Verdict> {
    if (this.rules.inbox.includes(channel)) return OK
    return this.check(who, channel, 'write to')
  }

  private async check(who: string | null, channel: string, verb: string): Promise<Verdict> {
    if (channel === CONTROL_CHANNEL) return refuse(REFUSAL.forbidden, `only the server may ${verb} ${CONTROL_CHANNEL}`)
    if (this.rules.open.includes(channel)) return OK
    const owner = PRIVATE.exec(channel)?.[1]
    if (owner !== undefined) return owner === who ? OK : refuse(REFUSAL.forbidden, `only participant ${owner} may ${verb} ${channel}`)
    const members = await this.state.get(roomKey(channel))
    if (members === undefined) return refuse(REFUSAL.unknownChannel, `no channel ${channel}`)
    return who !== null && (JSON.parse(members) as string[]).includes(who) ? OK : refuse(REFUSAL.forbidden, `only members may ${verb} ${channel}`)
  }
}
