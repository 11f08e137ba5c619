/** Page origins allowed to connect besides the server's own: a list, or `'*'` for any. */
export type AllowedOrigins = readonly string[] | '*'

/**
 * Whether a browser page from `origin` may connect or call the participant endpoints: the server's own
 * origin (from the request's `Host`) always may, and so may every origin in `allowed`.
 */
export function originAllowed(origin: string, host: string | undefined, allowed: AllowedOrigins | undefined): boolean {
  if (allowed === '*') return true
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true
  return allowed?.includes(origin) ?? false
}

/** Whether `origin` is another site's page that `allowed` lets in (and so needs CORS headers). */
export function isCrossOrigin(origin: string, host: string | undefined): boolean {
  return host === undefined || (origin !== `http://${host}` && origin !== `https://${host}`)
}
