import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SharedState } from '../state/shared-state.js'
import type { StateIdentity } from '../state/unique-ids.js'

/**
 * What a token says about the participant it claims: theirs, not theirs, theirs in a state that was
 * lost, or from a newer state than this process knows (it has not noticed yet that the state began anew).
 */
export type CredentialCheck = 'valid' | 'invalid' | 'lost' | 'ahead'

/**
 * Participant credentials: `<epoch>.<mac>`, the epoch of the state that issued it (base 36) and an
 * HMAC of epoch and participant id under a server secret. Any process that shares the secret verifies
 * one without a lookup; a page cannot forge one for another id; and one issued by a state that was
 * lost (a restart without persistence) is recognised as such, whatever secret made it.
 */
export class Credentials {
  private secret: Buffer
  private epoch: string

  private constructor(secret: string, epochMs: number) {
    this.secret = Buffer.from(secret)
    this.epoch = epochMs.toString(36)
  }

  /**
   * The secret comes from `SWITCHBOARD_SECRET` when set, else it is created once and kept in the shared
   * state, so every process serving the experiment uses the same one.
   */
  static async load(state: SharedState, configured = process.env.SWITCHBOARD_SECRET): Promise<Credentials> {
    const identity = await state.begin(configured === undefined ? randomBytes(32).toString('base64url') : undefined)
    return new Credentials(configured ?? identity.secret ?? '', identity.epochMs)
  }

  /** Credentials for a state whose secret and epoch are known (GET /status reports the epoch), e.g. for load tests. */
  static of(secret: string, epochMs: number): Credentials {
    return new Credentials(secret, epochMs)
  }

  /** When the state these credentials belong to began. */
  get epochMs(): number {
    return parseInt(this.epoch, 36)
  }

  /** Takes on the identity of a state begun anew: from now on, what the old one issued counts as lost. */
  adopt(identity: StateIdentity): void {
    if (identity.secret !== undefined) this.secret = Buffer.from(identity.secret)
    this.epoch = identity.epochMs.toString(36)
  }

  issue(participantId: string | number): string {
    return `${this.epoch}.${this.mac(this.epoch, String(participantId))}`
  }

  /**
   * Whether `token` is the credential of `participantId`, in its one canonical encoding (base64url,
   * no padding: `=` or garbage appended, standard base64 or a changed character do not verify),
   * compared in constant time. A well-formed token of an earlier epoch is `lost`: the state that
   * issued it is gone, and its participant with it. One of a later epoch is `ahead`: check the state
   * again (`SharedState.refresh`), then the token again.
   */
  check(participantId: string, token: string): CredentialCheck {
    const dot = token.indexOf('.')
    const epoch = token.slice(0, dot)
    if (dot < 1 || !/^[0-9a-z]{1,12}$/.test(epoch)) return 'invalid'
    if (epoch !== this.epoch) return parseInt(epoch, 36) < this.epochMs ? 'lost' : 'ahead'
    const expected = Buffer.from(this.mac(epoch, participantId))
    const given = Buffer.from(token.slice(dot + 1))
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid'
  }

  private mac(epoch: string, participantId: string): string {
    return createHmac('sha256', this.secret).update(`participant:${epoch}:${participantId}`).digest('base64url')
  }
}
