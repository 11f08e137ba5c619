export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** One JSON line per event: `{"time":…,"level":…,"event":…, …fields}`. */
export type Log = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Writes events at or above `minLevel` to `write` (stderr by default). */
export function createLog(minLevel: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Log {
  return (level, event, fields = {}) => {
    if (ORDER[level] < ORDER[minLevel]) return
    write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }, errorReplacer))
  }
}

export const silentLog: Log = () => {}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value
}
