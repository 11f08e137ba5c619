import { afterEach, describe, expect, it, vi } from 'vitest'
import { preciseNow, timeOfEvent } from '../src/precise-time.js'

afterEach(() => {
  vi.unstubAllGlobals()
})

/** A `performance` clock whose time origin is `origin` and whose now() is `now`. */
const clock = (origin: number, now: number) => ({ timeOrigin: origin, now: () => now })

describe('timeOfEvent', () => {
  it("counts a browser's stamp from the time origin, with no clock read", () => {
    const fake = clock(1_800_000_000_000, 500)
    const now = vi.spyOn(fake, 'now')
    vi.stubGlobal('performance', fake)
    expect(timeOfEvent(123.25)).toBe(1_800_000_000_123.25)
    expect(now).not.toHaveBeenCalled()
  })

  it('reads the clock for an event with no stamp, a zero or NaN one, or a stamp since 1970', () => {
    vi.stubGlobal('performance', clock(1_800_000_000_000, 500))
    for (const stamp of [undefined, 0, Number.NaN, -3, '12', 1_790_000_000_000]) expect(timeOfEvent(stamp)).toBe(1_800_000_000_500)
    expect(preciseNow()).toBe(1_800_000_000_500)
  })

  it('takes the time origin of a clock put in the place of the last one', () => {
    vi.stubGlobal('performance', clock(1_800_000_000_000, 1))
    expect(timeOfEvent(10)).toBe(1_800_000_000_010)
    vi.stubGlobal('performance', clock(1_700_000_000_000, 1))
    expect(timeOfEvent(10)).toBe(1_700_000_000_010)
  })

  it('tells time by Date.now() without a performance clock, or with one that has no origin', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_234)
    vi.stubGlobal('performance', undefined)
    expect(timeOfEvent(10)).toBe(1_234)
    vi.stubGlobal('performance', clock(0, 5))
    expect(timeOfEvent(10)).toBe(1_234)
    vi.restoreAllMocks()
  })
})
