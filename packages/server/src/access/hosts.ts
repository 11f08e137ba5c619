/** Host names the server answers: a list, or `'*'` for any (behind a proxy that checks them itself). */
export type AllowedHosts = readonly string[] | '*'

/** The loopback names, which the server always answers. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]']

/**
 * Whether a request's `Host` header names this server. A page on another site whose name resolves to
 * the server (DNS rebinding) sends its own name as Host, with a matching Origin, so checking the Origin
 * against the Host alone cannot stop it; checking the Host against the names the server is for does.
 */
export function hostAllowed(host: string | undefined, allowed: AllowedHosts | undefined): boolean {
  if (allowed === '*') return true
  if (host === undefined) return false
  const name = hostName(host)
  return LOOPBACK_HOSTS.includes(name) || (allowed?.some((entry) => hostName(entry) === name) ?? false)
}

/** `example.org:5000` → `example.org`, `[::1]:5000` → `[::1]`, lower case. */
function hostName(host: string): string {
  const lower = host.trim().toLowerCase()
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1)
  return lower.split(':')[0] ?? lower
}
