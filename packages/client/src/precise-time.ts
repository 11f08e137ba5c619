// The time origin of the `performance` object last seen: it never changes for one object, and its
// getter costs a call on every message. A test's fake clock puts another object in its place.
let seen: Performance | undefined
let origin = 0

/**
 * Now, in ms since the epoch, in high resolution: `performance.timeOrigin + performance.now()` where
 * the platform has that clock (browsers, Node), else `Date.now()`. Within a page it never jumps when
 * the computer's clock is set, so it measures intervals (a reaction time, a round trip) correctly.
 */
export function preciseNow(): number {
  return timeOrigin() > 0 ? origin + performance.now() : Date.now()
}

/**
 * When an event was made, as {@link preciseNow} tells time, from its `timeStamp` (ms since the time
 * origin: a browser stamps a socket's message when it arrives, before it waits its turn in the page);
 * {@link preciseNow} for an event without one (`ws` in Node) or with an old browser's stamp since the epoch.
 */
export function timeOfEvent(timeStamp: unknown): number {
  return typeof timeStamp === 'number' && timeStamp > 0 && timeStamp < EPOCH_STAMP && timeOrigin() > 0 ? origin + timeStamp : preciseNow()
}

// A stamp this large counts from 1970, not from the page's start (2001 in ms since the epoch).
const EPOCH_STAMP = 1e12

function timeOrigin(): number {
  if (typeof performance !== 'object') return 0
  if (performance !== seen) {
    seen = performance
    origin = performance.timeOrigin
  }
  return origin
}
