import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The cookie the dashboard's page is let in by (HttpOnly, SameSite=Strict: no other site's page sends it). */
export const OPERATOR_COOKIE = 'switchboard_operator'

/**
 * Whether `request` carries the operator's token: `Authorization: Bearer <token>` (scripts, `curl`) or
 * the operator cookie (the dashboard, and its socket). A participant's credential is never one.
 * Without a token configured, nobody is the operator.
 */
export function isOperator(request: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined || token === '') return false
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
  return sameSecret(bearer ?? cookie(request, OPERATOR_COOKIE) ?? '', token)
}

/** The value of cookie `name`, if the request has it. */
function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='))
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

/** Compares two secrets in constant time, their lengths included (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}
