/**
 * Now, in ms since the epoch, in high resolution: `performance.timeOrigin + performance.now()` where
 * the platform has that clock (browsers, Node), else `Date.now()`. Within a page it never jumps when
 * the computer's clock is set, so it measures intervals (a reaction time, a round trip) correctly.
 */
export function preciseNow(): number {
  return typeof performance === 'object' && performance.timeOrigin > 0 ? performance.timeOrigin + performance.now() : Date.now()
}
