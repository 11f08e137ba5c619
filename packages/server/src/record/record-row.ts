import { compareMessageIds } from '@switchboard/client'

/**
 * One line of the session's record: a message as it was stored (its id, channel, the server's time
 * from the id, the participant bound to the socket that sent it, never what the payload claims, and
 * the payload as sent), or an event: a participant came to a channel or left it (presence, after its
 * grace period), opened a socket again on a channel it had been on (reconnect), or was refused (a
 * socket closed or a frame refused by the server, with its close code and reason).
 */
export interface RecordRow {
  kind: 'message' | 'join' | 'leave' | 'reconnect' | 'refusal'
  /** The channel; '' for a refusal of a socket that named none. */
  channel: string
  /** The message's id; missing on events and on a message the experiment relayed without history (a roster). */
  id?: string
  /** ms since the epoch: the message's id time, or when the event happened. */
  serverTime: number
  participant: string | null
  /** The payload exactly as published; missing on events. */
  payload?: string
  /** A refusal's close code. */
  code?: number
  /** A refusal's reason. */
  detail?: string
}

/** A message's place in the record: no two rows share one. Events have none (each happens once). */
export function messageKey(row: RecordRow): string | undefined {
  return row.kind === 'message' && row.id !== undefined ? `${row.channel}\n${row.id}` : undefined
}

/**
 * The record's order: by time, then channel, then id, rows without one (events, relayed messages)
 * first, as PostgreSQL orders them (a total order: the same rows sort the same whatever file came first).
 */
export function compareRows(a: RecordRow, b: RecordRow): number {
  if (a.serverTime !== b.serverTime) return a.serverTime - b.serverTime
  if (a.channel !== b.channel) return a.channel < b.channel ? -1 : 1
  if (a.id === undefined || b.id === undefined) return (a.id === undefined ? 0 : 1) - (b.id === undefined ? 0 : 1)
  return compareMessageIds(a.id, b.id)
}

/** The ms part of a message id (`<ms>-<seq>`). */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')))
}
