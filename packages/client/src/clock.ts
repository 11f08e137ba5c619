// @switchboard/client/clock: the server's clock, estimated from the resume extension's pings. A separate
// entry, so an app that does not use it does not carry it.
import { preciseNow } from './precise-time.js'
import { ServerClock } from './server-clock.js'
import type { ServerClockOptions } from './server-clock.js'

export { ClockFilter, ServerClock } from './server-clock.js'
export type { ClockEstimate, ClockSample, ServerClockOptions } from './server-clock.js'
export { preciseNow } from './precise-time.js'

/**
 * The server's clock, as seen through `channel` (one open on a Switchboard server; any channel of the
 * page will do). It asks a few times at first, then every `intervalMs`, and keeps the estimate from the
 * fastest recent round trip. Against a stock Dallinger server it never gets an answer: `now()` stays
 * undefined and `at()` never fires.
 * @example
 * const clock = createServerClock(broadcast)
 * clock.at(round.startsAt, () => showStimulus())   // the same moment on every page
 * const remaining = round.endsAt - (clock.now() ?? Date.now())
 */
export function createServerClock(channel: { ping(): Promise<number | undefined> }, options: Partial<Pick<ServerClockOptions, 'burst' | 'intervalMs'>> = {}): ServerClock {
  return new ServerClock({ ask: () => channel.ping(), now: preciseNow, ...options })
}
