import { UsageError } from './errors.js'
import type { Identity } from './identity.js'
import { idOrUndefined } from './identity.js'

/** Extra query parameters; `undefined` values are left out. */
export type QueryParams = Record<string, string | number | boolean | undefined>

interface LocationLike {
  protocol: string
  host: string
}

/**
 * The page's own `/chat` endpoint: `wss://` on an https page, `ws://` otherwise.
 * Throws a UsageError where there is no page (Node): pass `url` there.
 */
export function defaultEndpoint(location: LocationLike | undefined = (globalThis as { location?: LocationLike }).location): string {
  if (!location?.host) {
    throw new UsageError('No location: pass { url }')
  }
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/chat`
}

/**
 * `endpoint?channel=…&worker_id=…&participant_id=…` with every value URL-encoded and missing ids left
 * out (never the string "undefined"), then any extra parameters.
 */
export function buildChatUrl(endpoint: string, channel: string, identity: Identity, extra: QueryParams = {}): string {
  const params: QueryParams = {
    channel,
    worker_id: idOrUndefined(identity.workerId),
    participant_id: idOrUndefined(identity.participantId),
    ...extra,
  }
  const query = Object.entries(params)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&')
  if (!endpoint.includes('?')) return `${endpoint}?${query}`
  return endpoint.endsWith('?') || endpoint.endsWith('&') ? endpoint + query : `${endpoint}&${query}`
}

/** `text` (a URL, or a message quoting one) with the credential's value hidden, for logs. */
export function redactCredential(text: string): string {
  return text.replace(/([?&]token=)[^&\s]*/g, '$1***')
}
