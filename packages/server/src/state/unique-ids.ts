/**
 * Ids that no state ever gives out twice, also when a state is lost (a process killed, a Redis that
 * restarts empty) and a new one begins. Each state has an epoch, the moment it began, and its ids
 * are counted from that moment in milliseconds since {@link ID_ORIGIN_MS}. An id is only given out once
 * the clock has reached it, so every id of a lost state is smaller than the epoch of any state begun
 * after it. The price: at most one new id per millisecond per key, on average (bursts wait a little),
 * and ids of eleven digits. A clock set back across a restart by more than the lost state's lead would
 * break it; so would two states on clocks far apart (keep servers on NTP).
 */
export const ID_ORIGIN_MS = Date.UTC(2026, 0, 1)

/** The id clock: milliseconds since {@link ID_ORIGIN_MS}. */
export function idClock(nowMs: number): number {
  return nowMs - ID_ORIGIN_MS
}

/** The id a state that began at `epochMs` may give out after `last` now, or how long to wait for it. */
export function nextUniqueId(last: number | undefined, epochMs: number, nowMs: number): { id: number } | { waitMs: number } {
  const id = Math.max((last ?? 0) + 1, idClock(epochMs) + 1)
  const clock = idClock(nowMs)
  return id <= clock ? { id } : { waitMs: id - clock }
}

/** What identifies a state: when it began, and the secret its credentials are made with. */
export interface StateIdentity {
  /** When the state began (ms since 1970). Credentials carry it; one from another epoch is refused. */
  epochMs: number
  /** The credential secret kept in the state, or undefined when the caller brought its own. */
  secret: string | undefined
}
