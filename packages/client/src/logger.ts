/** Where Switchboard writes; `console` fits. */
export interface Logger {
  debug(...args: unknown[]): void
  warn(...args: unknown[]): void
}

const silent = (): void => {}

/**
 * A logger whose `debug` is a no-op unless debugging is switched on. A logger that throws is the
 * page's fault and stays quiet: it is called from socket events and timers, where a throw would
 * reach the host (and, in Node, end the process).
 */
export function makeLogger(logger: Logger = console, debug = false): Logger {
  const write =
    (method: 'debug' | 'warn') =>
    (...args: unknown[]): void => {
      try {
        logger[method]('[switchboard]', ...args)
      } catch {
        // Nothing is left to report it to.
      }
    }
  return { debug: debug ? write('debug') : silent, warn: write('warn') }
}
