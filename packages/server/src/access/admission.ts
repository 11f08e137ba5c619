import type { IncomingMessage } from 'node:http'
import { RELAY_CLOSE, REFUSAL, STATE_LOST_REASON } from '../protocol/close-codes.js'
import { DASHBOARD_CHANNEL } from '../protocol/control.js'
import type { Credentials } from './credentials.js'
import { isOperator } from './operator.js'
import { originAllowed } from './origins.js'
import type { AllowedOrigins } from './origins.js'

export interface AdmissionOptions {
  credentials: Credentials
  /**
   * Compatibility with stock Dallinger pages, which send no credential: a socket is bound to the
   * `participant_id` it claims, unchecked. Anyone can then claim anyone's id.
   * @default false
   */
  allowAnonymous: boolean
  /**
   * Page origins allowed to open sockets besides the server's own; `'*'` allows all. Clients that send
   * no Origin (not browsers) are allowed: the check protects against other sites' pages, not against scripts.
   * @default none: the server's own origin only, from the request's Host
   */
  allowedOrigins?: AllowedOrigins
  /** The operator's token: a socket on the dashboard channel needs it (the operator cookie). @default none: no dashboard */
  operatorToken?: string | undefined
}

/** `epochMs`: the epoch of the state whose credential let the socket in; none for an anonymous socket. */
export type Admission = { ok: true; participantId: string | null; epochMs?: number; operator?: true } | { ok: false; code: number; reason: string; behind?: true }

/** Decides whether a `/chat` socket may stay, and which participant it speaks for. */
export function admit(request: IncomingMessage, query: URLSearchParams, options: AdmissionOptions): Admission {
  const origin = request.headers.origin
  if (origin !== undefined && !originAllowed(origin, request.headers.host, options.allowedOrigins)) {
    return { ok: false, code: REFUSAL.forbidden, reason: `origin ${origin} is not allowed` }
  }
  // The dashboard's socket speaks for no participant, and reads only; its page is the server's own,
  // so no other origin may open it, whatever ALLOWED_ORIGINS lets participants' pages do.
  if (query.get('channel') === DASHBOARD_CHANNEL) {
    if (origin !== undefined && !originAllowed(origin, request.headers.host, undefined)) return { ok: false, code: REFUSAL.forbidden, reason: `origin ${origin} may not open the dashboard` }
    return isOperator(request, options.operatorToken) ? { ok: true, participantId: null, operator: true } : { ok: false, code: REFUSAL.unauthorized, reason: 'the dashboard needs the operator token' }
  }
  const claimed = query.get('participant_id')
  const token = query.get('token')
  if (token !== null) {
    if (claimed === null) return { ok: false, code: REFUSAL.unauthorized, reason: 'a token needs the participant_id it was issued for' }
    const check = options.credentials.check(claimed, token)
    if (check === 'lost') return { ok: false, code: REFUSAL.stateLost, reason: STATE_LOST_REASON }
    // Issued by a newer state than this process knows: it is behind, not the client; the client tries again.
    if (check === 'ahead') return { ok: false, code: RELAY_CLOSE.unavailable.code, reason: 'this server is catching up with a newer state; try again', behind: true }
    if (check === 'invalid') return { ok: false, code: REFUSAL.unauthorized, reason: `invalid credential: the token is not participant ${claimed.slice(0, 40)}'s` }
    return { ok: true, participantId: claimed, epochMs: options.credentials.epochMs }
  }
  if (options.allowAnonymous) return { ok: true, participantId: claimed }
  return { ok: false, code: REFUSAL.unauthorized, reason: 'credential required (the token from POST /participant, or the experiment\'s credential route)' }
}
