/** Where Switchboard writes; `console` fits. */
export interface Logger {
  debug(...args: unknown[]): void
  warn(...args: unknown[]): void
}

const silent = (): void => {}

/** A logger whose `debug` is a no-op unless debugging is switched on. */
export function makeLogger(logger: Logger = console, debug = false): Logger {
  return { debug: debug ? (...args) => logger.debug('[switchboard]', ...args) : silent, warn: (...args) => logger.warn('[switchboard]', ...args) }
}
