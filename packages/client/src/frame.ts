import { UsageError } from './errors.js'

/** A message payload: a JSON object. Messages usually carry a string `type`. */
export type Payload = Record<string, unknown>

/** A text frame split at its first colon. */
export interface SplitFrame {
  channel: string
  body: string
}

export type ParsedBody =
  | { ok: true; payload: Payload }
  | { ok: false; code: 'INVALID_JSON' | 'NOT_AN_OBJECT'; message: string }

/**
 * Throws a UsageError unless `name` can be a channel: the server splits frames at the first colon,
 * so a name with a colon would be cut, and an empty name is no channel.
 */
export function assertChannelName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new UsageError(`A channel name must be a non-empty string, got ${JSON.stringify(name)}`)
  }
  if (name.includes(':')) {
    throw new UsageError(`A channel name cannot contain ':' (the server splits frames at the first colon): ${name}`)
  }
}

/** `channel:body`, as the server expects it. */
export function encodeFrame(channel: string, body: string): string {
  return `${channel}:${body}`
}

/** Splits at the FIRST colon, as the server does; undefined for a frame without one. Never throws. */
export function splitFrame(raw: string): SplitFrame | undefined {
  const colon = raw.indexOf(':')
  if (colon < 0) return undefined
  return { channel: raw.slice(0, colon), body: raw.slice(colon + 1) }
}

/** Parses a frame body into a payload object. Never throws. */
export function parseBody(body: string): ParsedBody {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (error) {
    return { ok: false, code: 'INVALID_JSON', message: `Payload is not valid JSON (${(error as Error).message})` }
  }
  if (!isPayload(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
    return { ok: false, code: 'NOT_AN_OBJECT', message: `Payload must be a JSON object, got ${kind}` }
  }
  return { ok: true, payload: value }
}

/** Serialises an outgoing payload; misuse (not an object, cycles, BigInt) throws a UsageError. */
export function serializePayload(payload: unknown): string {
  if (!isPayload(payload)) {
    throw new UsageError('A payload must be a plain object, e.g. { type: "chat", text: "hi" }')
  }
  try {
    return JSON.stringify(payload)
  } catch (error) {
    throw new UsageError(`A payload must be JSON-serialisable: ${(error as Error).message}`)
  }
}

function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
