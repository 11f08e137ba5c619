/** Which page origins may open sockets: a list, or `'*'` for any. */
export type AllowedOrigins = readonly string[] | '*'

/**
 * Whether a browser page from `origin` may connect. Without a configured list only the server's own
 * origin is allowed, taken from the request's `Host`.
 */
export function originAllowed(origin: string, host: string | undefined, allowed: AllowedOrigins | undefined): boolean {
  if (allowed === '*') return true
  const list = allowed ?? (host ? [`http://${host}`, `https://${host}`] : [])
  return list.includes(origin)
}
