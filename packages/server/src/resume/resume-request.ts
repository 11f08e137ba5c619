import type { MessageId } from '@switchboard/client'

/**
 * The server side of the resume extension (docs/protocol.md). A socket opts in with `?sb=1`; a stock
 * Dallinger page never does, and sees the plain protocol only.
 */
export interface ResumeRequest {
  /** The last message id the client received on this channel; missing on its first connection. */
  since: MessageId | undefined
  /** The client's sender session, for acknowledged sends. */
  session: string
  /** The number the client gave the first frame it sends on this socket. */
  firstSeq: number
}

export const RESUME_PARAM = 'sb'
const ID = /^\d{1,15}-\d{1,15}$/
const SESSION = /^[A-Za-z0-9_-]{8,64}$/

/** The socket's resume request; undefined for a plain socket; an error message when malformed. */
export function resumeRequest(query: URLSearchParams): ResumeRequest | string | undefined {
  if (query.get(RESUME_PARAM) !== '1') return undefined
  const since = query.get('sb_since') ?? undefined
  const session = query.get('sb_session') ?? ''
  const firstSeq = Number(query.get('sb_seq') ?? '1')
  if (since !== undefined && !ID.test(since)) return 'sb_since is not a message id'
  if (!SESSION.test(session)) return 'sb_session must be 8 to 64 letters, digits, _ or -'
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1) return 'sb_seq must be a positive integer'
  return { since, session, firstSeq }
}
