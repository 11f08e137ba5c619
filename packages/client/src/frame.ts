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

// What a channel name may hold: letters, digits, `_`, `-` and `.`, at least one. Dallinger splits
// frames at the first colon, so a `:` would cut the name. Spaces and other signs are refused too, at
// once and with a message, where a server would refuse the channel only after a connection (4404).
// `\w` without the `u` flag is ASCII only.
const CHANNEL_NAME = /^[\w.-]+$/

/**
 * Throws a UsageError that says what a channel name may hold unless `name` is one: letters, digits,
 * `_`, `-` and `.`, at least one.
 * @example assertChannelName('participant_7_channel') // passes; 'bad name!', 'a:b' and '' throw
 */
export function assertChannelName(name: unknown): asserts name is string {
  // The typeof check first: `test()` would turn `undefined` into the name "undefined".
  if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) {
    throw new UsageError(`Bad channel name ${JSON.stringify(name)}: use letters, digits, _ - . only`)
  }
}

/** A frame decoded by {@link decodeFrame}. `NO_CHANNEL` is a frame without a colon, like an old server's bare `ping`. */
export type DecodedFrame =
  | { ok: true; channel: string; payload: Payload }
  | { ok: false; channel: string | undefined; code: 'NO_CHANNEL' | 'INVALID_JSON' | 'NOT_AN_OBJECT'; message: string }

/**
 * `channel:JSON`, as the server expects it. Misuse (a bad channel name, see {@link assertChannelName}; a
 * payload that is not a JSON-serialisable object) throws a UsageError.
 * @example encodeFrame('room_1', { type: 'chat', text: 'hi' }) // 'room_1:{"type":"chat","text":"hi"}'
 */
export function encodeFrame(channel: string, payload: Payload): string {
  assertChannelName(channel)
  return `${channel}:${serializePayload(payload)}`
}

/** Splits at the first colon and parses the payload. Never throws, whatever the input. */
export function decodeFrame(raw: string): DecodedFrame {
  const frame = splitFrame(raw)
  if (!frame) return { ok: false, channel: undefined, code: 'NO_CHANNEL', message: 'No channel prefix' }
  const parsed = parseBody(frame.body)
  return { ...parsed, channel: frame.channel }
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
    return { ok: false, code: 'INVALID_JSON', message: `Invalid JSON: ${(error as Error).message}` }
  }
  if (!isPayload(value)) {
    return { ok: false, code: 'NOT_AN_OBJECT', message: 'Not a JSON object' }
  }
  return { ok: true, payload: value }
}

/** Serialises an outgoing payload; misuse (not an object, cycles, BigInt) throws a UsageError. */
export function serializePayload(payload: unknown): string {
  if (!isPayload(payload)) {
    throw new UsageError('A payload must be a plain object')
  }
  try {
    return JSON.stringify(payload)
  } catch (error) {
    throw new UsageError(`Payload not JSON: ${(error as Error).message}`)
  }
}

/** A JSON object: not null, not an array. */
export function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
