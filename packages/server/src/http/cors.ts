import type { IncomingMessage, ServerResponse } from 'node:http'
import { isCrossOrigin, originAllowed } from '../access/origins.js'
import type { AllowedOrigins } from '../access/origins.js'

/** What to do with a request's Origin: nothing (same origin, or no browser), answer CORS, or refuse. */
export type CorsVerdict = 'same-origin' | 'allowed' | 'refused'

export function corsVerdict(request: IncomingMessage, allowed: AllowedOrigins | undefined): CorsVerdict {
  const { origin, host } = request.headers
  if (origin === undefined || !isCrossOrigin(origin, host)) return 'same-origin'
  return originAllowed(origin, host, allowed) ? 'allowed' : 'refused'
}

/**
 * Lets an allowed page of another origin read the answer. No credentials mode: a participant's token
 * travels in the body, never in a cookie (the operator's cookie is never sent on another site's
 * requests, SameSite=Strict, and no credentialed CORS is allowed), so each allowed origin is named.
 */
export function setCorsHeaders(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader('access-control-allow-origin', request.headers.origin ?? '')
  response.setHeader('vary', 'origin')
}

/** The answer to a preflight (`OPTIONS`) from an allowed origin. */
export function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  setCorsHeaders(request, response)
  response.setHeader('access-control-allow-methods', 'GET, POST')
  response.setHeader('access-control-allow-headers', 'content-type')
  response.setHeader('access-control-max-age', '600')
  response.writeHead(204)
  response.end()
}
