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
  return timeOfEvent(0)
}

/**
 * When an event was made, as {@link preciseNow} tells time, from its `timeStamp` (ms since the time
 * origin: a browser stamps a socket's message when it arrives, before it waits its turn in the page);
 * now for an event without one (`ws` in Node) or with an old browser's stamp since the epoch.
 */
export function timeOfEvent(timeStamp: unknown): number {
  // Read once: in Node the global is a getter, called on every read.
  const clock = (globalThis as { performance?: Performance }).performance
  if (!clock) return Date.now()
  if (clock !== seen) {
    seen = clock
    origin = clock.timeOrigin
  }
  // A stamp of 1e12 or more counts from 1970 (2001 in ms), not from the page's start.
  return origin > 0 ? origin + (typeof timeStamp === 'number' && timeStamp > 0 && timeStamp < 1e12 ? timeStamp : clock.now()) : Date.now()
}
