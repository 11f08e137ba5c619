import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/**
 * The address a request comes from. With `trustProxy` 0, the socket's peer. Behind `trustProxy`
 * reverse proxies, each of which appends the address it got the request from to X-Forwarded-For, the
 * entry that many hops from the right: the address the outermost trusted proxy saw. Entries further
 * left are whatever the client wrote, so they are never taken, whatever they say.
 * @example sourceAddress(request, 1) // 'X-Forwarded-For: 6.6.6.6, 203.0.113.7' from the proxy → '203.0.113.7'
 */
export function sourceAddress(request: IncomingMessage, trustProxy: number): string {
  const peer = normalAddress(peerAddress(request.socket))
  if (trustProxy <= 0) return peer
  const header = request.headers['x-forwarded-for']
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  const hops = [...forwarded, peer]
  // Fewer entries than proxies: the left-most is the nearest to the client that anyone saw.
  return normalAddress(hops[Math.max(0, hops.length - 1 - trustProxy)] ?? peer)
}

/**
 * The connection's peer address, as `remoteAddress` says, without leaving Node's copy of it behind:
 * the first read of `remoteAddress` keeps `{ address, family }` on the socket (`_peername`), an object
 * and a string, 88 bytes for as long as it is open. What needs the address keeps it (the connection
 * guard, in one record per address); a later read of `remoteAddress` asks the socket again.
 */
export function peerAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? ''
  // Only a cache Node made: were it renamed, nothing is added to the socket, and only the saving is lost.
  if ('_peername' in socket) (socket as { _peername?: unknown })._peername = undefined
  return address
}

/** One spelling per address: an IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is the IPv4 address. */
export function normalAddress(address: string): string {
  const lower = address.toLowerCase()
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice('::ffff:'.length) : lower
}
