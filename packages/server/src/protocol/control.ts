import { pythonJsonDumps } from './python-json.js'

/** The channel Dallinger publishes connection events on. */
export const CONTROL_CHANNEL = 'dallinger_control'

/** The live figures of the session, for the operator's dashboard only: no participant reads it, nobody writes it. */
export const DASHBOARD_CHANNEL = 'switchboard_dashboard'

/** How a socket introduced itself: the query's ids, `null` when absent. */
export interface SocketClient {
  workerId: string | null
  participantId: string | null
}

/** A control event as parsed from `dallinger_control`. */
export type ControlEvent =
  | { type: 'channel'; event: 'subscribed' | 'unsubscribed'; channel: string | null; client: ControlClient }
  | { type: 'websocket'; event: 'connected'; client: ControlClient }
  | { type: 'websocket'; event: 'disconnected'; reason: number; message: string; client: ControlClient }

export interface ControlClient {
  class: string
  worker_id: string | null
  participant_id: string | null
}

const CLIENT_CLASS = 'dallinger.experiment_server.sockets.Client'

// Written out as pythonJsonDumps writes these objects, key order included (they are compared byte for
// byte with Dallinger's), without building the objects first: every socket's open and close makes two.
const quoted = (text: string | null) => pythonJsonDumps(text)
const client = ({ workerId, participantId }: SocketClient) => `{"class": "${CLIENT_CLASS}", "worker_id": ${quoted(workerId)}, "participant_id": ${quoted(participantId)}}`

export function channelEvent(event: 'subscribed' | 'unsubscribed', channel: string | null, who: SocketClient): string {
  return `{"type": "channel", "event": "${event}", "channel": ${quoted(channel)}, "client": ${client(who)}}`
}

export function connectedEvent(who: SocketClient): string {
  return `{"type": "websocket", "event": "connected", "client": ${client(who)}}`
}

export function disconnectedEvent(code: number, message: string, who: SocketClient): string {
  return `{"type": "websocket", "event": "disconnected", "reason": ${pythonJsonDumps(code)}, "message": ${quoted(message)}, "client": ${client(who)}}`
}

/**
 * The control event in a parsed `dallinger_control` payload, or undefined for anything else. Other
 * writers share that channel (a Dallinger server on the same Redis), so events are checked, not assumed.
 */
export function asControlEvent(value: Record<string, unknown>): ControlEvent | undefined {
  const { type, event, channel, client: who } = value
  if (typeof who !== 'object' || who === null) return undefined
  const { participant_id: id } = who as Record<string, unknown>
  if (id !== null && typeof id !== 'string') return undefined
  if (type === 'channel' && (event === 'subscribed' || event === 'unsubscribed') && (channel === null || typeof channel === 'string')) {
    return value as ControlEvent
  }
  if (type === 'websocket' && (event === 'connected' || event === 'disconnected')) return value as ControlEvent
  return undefined
}
