import { pythonJsonDumps } from './python-json.js'

/** The channel Dallinger publishes connection events on. */
export const CONTROL_CHANNEL = 'dallinger_control'

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

function client({ workerId, participantId }: SocketClient): ControlClient {
  return { class: CLIENT_CLASS, worker_id: workerId, participant_id: participantId }
}

// Key order matters: these are compared byte for byte with Dallinger's.
export function channelEvent(event: 'subscribed' | 'unsubscribed', channel: string | null, who: SocketClient): string {
  return pythonJsonDumps({ type: 'channel', event, channel, client: client(who) })
}

export function connectedEvent(who: SocketClient): string {
  return pythonJsonDumps({ type: 'websocket', event: 'connected', client: client(who) })
}

export function disconnectedEvent(code: number, message: string, who: SocketClient): string {
  return pythonJsonDumps({ type: 'websocket', event: 'disconnected', reason: code, message, client: client(who) })
}

/** Parses a control payload; undefined for anything that is not one of the events above. */
export function parseControlEvent(data: string): ControlEvent | undefined {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { type, event, client: who } = value as Record<string, unknown>
  if (typeof who !== 'object' || who === null) return undefined
  if ((type === 'channel' && (event === 'subscribed' || event === 'unsubscribed')) || (type === 'websocket' && (event === 'connected' || event === 'disconnected'))) {
    return value as ControlEvent
  }
  return undefined
}
