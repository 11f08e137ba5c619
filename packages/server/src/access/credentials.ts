import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SharedState } from '../state/shared-state.js'

/**
 * Participant credentials: an HMAC of the participant id under a server secret. Any process that
 * shares the secret verifies a credential without a lookup; a page cannot forge one for another id.
 */
export class Credentials {
  private constructor(private readonly secret: Buffer) {}

  /**
   * The secret comes from `SWITCHBOARD_SECRET` when set, else it is created once and kept in the shared
   * state, so every process serving the experiment uses the same one.
   */
  static async load(state: SharedState, configured = process.env.SWITCHBOARD_SECRET): Promise<Credentials> {
    const secret = configured ?? (await state.setIfAbsent('secret', randomBytes(32).toString('base64url')))
    return new Credentials(Buffer.from(secret))
  }

  issue(participantId: string | number): string {
    return this.mac(String(participantId)).toString('base64url')
  }

  /**
   * True when `token` is the credential of `participantId`, in its one canonical encoding (base64url,
   * no padding): `=` or garbage appended, standard base64 or a changed character do not verify.
   * Compared in constant time.
   */
  verify(participantId: string, token: string): boolean {
    const expected = Buffer.from(this.issue(participantId))
    const given = Buffer.from(token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private mac(participantId: string): Buffer {
    return createHmac('sha256', this.secret).update(`participant:${participantId}`).digest()
  }
}
