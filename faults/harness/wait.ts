/**
 * Waiting on state, never on the clock: every wait polls a condition and fails after a deadline with a
 * message that says what it was waiting for and what it saw last.
 */

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number
  /** Poll this often. @default 50 */
  intervalMs?: number
  /** What the state looked like, for the error message when the deadline passes. */
  describe?: () => string
}

/** Thrown when a wait's deadline passes; `message` names the wait and the last state seen. */
export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WaitTimeout'
  }
}

/** Resolves with the first truthy value `probe` returns; a probe that throws counts as not yet. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, options: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value) return value as NonNullable<T>
      lastError = undefined
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const seen = options.describe ? `; last seen: ${options.describe()}` : ''
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : ''
      throw new WaitTimeout(`timed out after ${options.timeoutMs} ms waiting for ${what}${seen}${cause}`)
    }
    await pause(options.intervalMs ?? 50)
  }
}

/**
 * Resolves once `probe` is true, or once `value()` has not changed for `quietMs` (what a plain-mode
 * run that lost its last messages ends on). Returns whether `probe` held. Fails after `timeoutMs`.
 */
export async function waitForOrQuiet(what: string, probe: () => boolean, value: () => number, quietMs: number, options: WaitOptions): Promise<boolean> {
  let last = value()
  let since = Date.now()
  let complete = false
  await waitFor(
    what,
    () => {
      if (probe()) return (complete = true)
      const now = value()
      if (now !== last) {
        last = now
        since = Date.now()
      }
      return Date.now() - since >= quietMs
    },
    options,
  )
  return complete
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeout(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The poll interval of the waits above; not a wait in itself. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
