import { readFileSync } from 'node:fs'

/**
 * Limits per source address and for the whole process. Participants cost nothing to mint, so the
 * per-participant limits (`Limits`) alone let one machine hold any number of sockets; these bound what
 * one address can take, and keep the process below its open-file limit so that newcomers are refused
 * with a code instead of everyone being locked out. Every one is an option of the server (`limits`).
 */
export interface AddressLimits {
  /**
   * Open connections from one source address (HTTP and WebSocket alike; behind a trusted proxy, the
   * WebSockets of one forwarded address). One more is answered 429 before any upgrade. A lab whose
   * machines share one public address (NAT) needs a few per participant: raise it there.
   * @default 100
   */
  socketsPerAddress: number
  /**
   * Participants one source address may create per minute (`POST /participant`, `POST /participant/…`),
   * a bucket of this many that refills evenly over the minute. Past it: 429 with Retry-After.
   * @default 30
   */
  participantsPerMinute: number
  /**
   * Connections from one source address that have not yet sent a complete request head (an HTTP
   * request or a WebSocket upgrade). One more is answered 429 and closed at once. Not applied behind a
   * trusted proxy, whose own address every connection has (the proxy buffers requests itself).
   * @default 10
   */
  handshakesPerAddress: number
  /**
   * How long a connection may take to send its first complete request head; a slower one (slowloris)
   * is answered 408 and closed. Also Node's `headersTimeout` and `requestTimeout` for later requests.
   * @default 10000
   */
  handshakeTimeoutMs: number
  /**
   * Connections the process holds at once, kept below its open-file limit so that files, Redis and
   * logs still open. A newcomer past it is answered 503 with Retry-After (before any upgrade); every
   * connection already open is untouched. Past 110 % of it (newcomers still being told 503), Node
   * drops new connections unanswered.
   * @default 10000, or 80 % of the soft open-file limit where that is lower (read from /proc/self/limits on Linux)
   */
  maxSockets: number
}

/** The defaults, before `maxSockets` is fitted to this process's open-file limit (`resolveAddressLimits`). */
export const DEFAULT_ADDRESS_LIMITS: AddressLimits = {
  socketsPerAddress: 100,
  participantsPerMinute: 30,
  handshakesPerAddress: 10,
  handshakeTimeoutMs: 10_000,
  maxSockets: 10_000,
}

/** The share of the open-file limit that sockets may take by default; the rest is for everything else. */
const SOCKET_SHARE = 0.8

/**
 * The limits in force: the given ones over the defaults, with the default `maxSockets` lowered to fit
 * the open-file limit. `fileLimit` is that limit, when known.
 */
export function resolveAddressLimits(given: Partial<AddressLimits> = {}, fileLimit: number | undefined = openFileLimit()): AddressLimits {
  const fitted = fileLimit === undefined ? DEFAULT_ADDRESS_LIMITS.maxSockets : Math.min(DEFAULT_ADDRESS_LIMITS.maxSockets, Math.floor(fileLimit * SOCKET_SHARE))
  // `given` may be the server's whole `limits` option; only these limits, and only those set, count.
  const defined = Object.fromEntries(Object.entries(given).filter(([key, value]) => Object.hasOwn(DEFAULT_ADDRESS_LIMITS, key) && value !== undefined)) as Partial<AddressLimits>
  return { ...DEFAULT_ADDRESS_LIMITS, maxSockets: fitted, ...defined }
}

/**
 * The process's soft limit on open files, from /proc/self/limits (Linux; Node raises the soft limit to
 * the hard one at start). Undefined where it cannot be read or is unlimited.
 */
export function openFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  let text: string
  try {
    text = read()
  } catch {
    return undefined
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1]
  const limit = soft === undefined ? Number.NaN : Number(soft)
  return Number.isInteger(limit) && limit > 0 ? limit : undefined
}
