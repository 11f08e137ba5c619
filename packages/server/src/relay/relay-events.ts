/**
 * What happened to a socket that the session's record and the dashboard keep: the server refused it or
 * one of its frames (closed with `code`, or a resuming socket's frame answered with a nack of `code`),
 * or its participant opened it on a channel it had been on before (a reconnect, a reload).
 */
export type RelayEvent =
  | { type: 'refusal'; code: number; reason: string; participant: string | null; channel: string | null }
  | { type: 'reconnect'; participant: string; channel: string }

export type RelayEventListener = (event: RelayEvent) => void
