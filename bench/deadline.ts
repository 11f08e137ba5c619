// Every wait of a benchmark has a deadline: a wait that times out rejects with what was still missing,
// so a stuck run fails with a reason instead of hanging.

/** `promise`, or a rejection after `ms` naming what was awaited and, from `missing()`, what had not come. */
export function within<T>(promise: Promise<T>, ms: number, what: string, missing: () => string = () => ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const detail = missing()
      reject(new Error(`timed out after ${ms} ms waiting for ${what}${detail ? `: ${detail}` : ''}`))
    }, ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A promise and the function that settles it, for waits on events counted elsewhere. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((settle) => (resolve = settle))
  return { promise, resolve }
}

/** Ends a load script that failed: the reason on stderr, exit code 1 (the bench then throws). */
export function fail(script: string, error: unknown): never {
  console.error(`${script}: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
