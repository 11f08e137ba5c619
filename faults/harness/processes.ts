import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { running, signalAndWait, spawnTracked } from './children.js'
import { freePort } from './ports.js'
import { waitFor } from './wait.js'

/**
 * The server's command, run as the README says: `node packages/server/bin/switchboard-server.js`.
 * `SWITCHBOARD_SERVER_BIN` points the suite at another checkout's, to compare a fix with its base.
 */
export const SERVER_BIN = process.env.SWITCHBOARD_SERVER_BIN ?? fileURLToPath(new URL('../../packages/server/bin/switchboard-server.js', import.meta.url))
/** The secret every process of a suite signs credentials with, as production should (README: set it on every process). */
export const SUITE_SECRET = 'faults-suite-secret-0123456789abcdef'
const BANNER = 'Switchboard server is running on'
const KEPT_LINES = 5000

export interface ServerProcessOptions {
  /** A name for the diagnostics, e.g. `socket-1`. */
  name: string
  /** @default a free port, kept across restarts */
  port?: number
  /** Share broker and state through this Redis (or a partition proxy in front of it). */
  redisUrl?: string
  /** Absolute path of an experiment module (EXPERIMENT). */
  experiment?: string
  /** false: RUN_EXPERIMENT=0, sockets only (the experiment's rules still apply). @default true */
  runExperiment?: boolean
  /** More environment, e.g. the tally experiment's file. */
  env?: Record<string, string>
}

/** A stderr line of the server: JSON when it is a log entry. */
export interface LogLine {
  /** Which start of the process wrote it: 1 for the first, 2 after the first restart… */
  incarnation: number
  /** When the suite read it (ms since the epoch). */
  at: number
  text: string
  entry: Record<string, unknown> | undefined
}

/** A real `switchboard-server` process on a fixed port, which a test can kill and start again. */
export interface ServerProcess {
  readonly name: string
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly pid: number | undefined
  readonly running: boolean
  /** How many times it was started. */
  readonly incarnation: number
  /** Every stderr line of every incarnation (the last 5,000). */
  readonly logs: readonly LogLine[]
  /** Starts it (again) on the same port; resolves once the banner is on stdout. */
  start(): Promise<void>
  /** Sends a real signal and waits for the exit (SIGTERM: a clean shutdown, 1001 to every socket). */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Kill (SIGKILL) and start again on the same port. */
  restart(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>
  /** For cleanup: SIGTERM, then SIGKILL if it lingers. Never throws. */
  stop(): Promise<void>
  /** The log entries at `warn` or `error`, as lines, for a diagnosis. */
  problems(): string[]
}

/** Starts a server process and waits for its banner. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort())
  const logs: LogLine[] = []
  let child: ChildProcess | undefined
  let incarnation = 0

  const environment = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    // Nothing of the test runner's, nor a stray setting of the caller's shell, reaches the server.
    for (const key of Object.keys(env)) if (key.startsWith('VITEST') || ['NODE_OPTIONS', 'REDIS_URL', 'EXPERIMENT', 'RUN_EXPERIMENT', 'CHANNEL_RULES'].includes(key)) delete env[key]
    return {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SWITCHBOARD_SECRET: SUITE_SECRET,
      // Every client of the suite comes from 127.0.0.1: the per-address limits would count them as one machine.
      SOCKETS_PER_ADDRESS: '100000',
      PARTICIPANTS_PER_MINUTE: '100000',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...(options.experiment ? { EXPERIMENT: options.experiment } : {}),
      ...(options.runExperiment === false ? { RUN_EXPERIMENT: '0' } : {}),
      ...options.env,
    }
  }

  const start = async (): Promise<void> => {
    if (running(child)) throw new Error(`${options.name} is already running (pid ${child?.pid})`)
    incarnation += 1
    const mine = incarnation
    const started = spawnTracked(process.execPath, [SERVER_BIN], { env: environment(), stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    let stdout = ''
    let exited: string | undefined
    started.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    lines(started.stderr, (text) => {
      logs.push({ incarnation: mine, at: Date.now(), text, entry: parse(text) })
      if (logs.length > KEPT_LINES) logs.splice(0, logs.length - KEPT_LINES)
    })
    started.once('exit', (code, signal) => (exited = `exited (code ${code}, signal ${signal})`))
    await waitFor(`${options.name} (port ${port}) to print its banner`, () => {
      if (exited) throw new Error(`${options.name} ${exited} before its banner: ${tail(logs, mine)}`)
      return stdout.includes(BANNER)
    }, { timeoutMs: 20_000, describe: () => `stdout ${JSON.stringify(stdout.slice(-300))}; stderr ${tail(logs, mine)}` }).catch(async (error: unknown) => {
      if (running(started)) await signalAndWait(started, 'SIGKILL')
      throw error
    })
  }

  const kill = async (signal: 'SIGKILL' | 'SIGTERM') => {
    if (!child) throw new Error(`${options.name} was never started`)
    return signalAndWait(child, signal)
  }

  await start()
  return {
    name: options.name,
    port,
    url: `http://127.0.0.1:${port}`,
    get pid() {
      return child?.pid
    },
    get running() {
      return running(child)
    },
    get incarnation() {
      return incarnation
    },
    logs,
    start,
    kill,
    async restart(signal = 'SIGKILL') {
      await kill(signal)
      await start()
    },
    async stop() {
      if (child && running(child)) await signalAndWait(child, 'SIGTERM', 5000).catch(() => undefined)
    },
    problems: () => logs.filter((line) => line.entry === undefined || line.entry.level === 'warn' || line.entry.level === 'error').map((line) => `[${options.name}#${line.incarnation}] ${line.text}`),
  }
}

/** Calls `each` with every complete line of `stream`. */
function lines(stream: NodeJS.ReadableStream | null, each: (line: string) => void): void {
  let buffered = ''
  stream?.setEncoding('utf8')
  stream?.on('data', (chunk: string) => {
    buffered += chunk
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    for (const part of parts) if (part.trim() !== '') each(part)
  })
  stream?.on('end', () => buffered.trim() !== '' && each(buffered))
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function tail(logs: readonly LogLine[], incarnation: number): string {
  return JSON.stringify(logs.filter((line) => line.incarnation === incarnation).slice(-10).map((line) => line.text))
}
