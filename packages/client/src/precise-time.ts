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
  if (typeof performance !== 'object') return Date.now()
  if (performance !== seen) {
    seen = performance
    origin = performance.timeOrigin
  }
  return origin > 0 ? origin + performance.now() : Date.now()
}
