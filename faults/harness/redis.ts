import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { running, signalAndWait, spawnTracked } from './children.js'
import { freePort } from './ports.js'
import { waitFor } from './wait.js'

/** A real redis-server on a free loopback port, which a test can kill and start again on the same port and dir. */
export interface RedisProcess {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Its working directory (where the append-only file lives when persistent). */
  readonly dir: string
  readonly persistent: boolean
  readonly running: boolean
  start(): Promise<void>
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>
  /** Kill and start again, same port and dir. */
  restart(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>
  /** For cleanup: kills it and removes its dir. Never throws. */
  stop(): Promise<void>
  /** The last lines redis-server printed, for a diagnosis. */
  output(): string
}

/**
 * Starts redis-server. Persistent: every write is in the append-only file and fsynced before the
 * reply (`--appendonly yes --appendfsync always`), so a SIGKILL loses nothing. Volatile: nothing is
 * written (`--save '' --appendonly no`), so a restart starts empty.
 */
export async function startRedis({ persistent }: { persistent: boolean }): Promise<RedisProcess> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'faults-redis-'))
  const bin = process.env.REDIS_SERVER ?? 'redis-server'
  const persistence = persistent ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] : ['--save', '', '--appendonly', 'no']
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', ...persistence]
  let child: ChildProcess | undefined
  let output = ''

  const start = async () => {
    if (running(child)) throw new Error(`redis-server on ${port} is already running`)
    let failure: string | undefined
    const started = spawnTracked(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    started.once('error', (error) => (failure = `cannot start ${bin}: ${error.message}`))
    started.once('exit', (code, signal) => (failure ??= `redis-server exited (code ${code}, signal ${signal})`))
    for (const stream of [started.stdout, started.stderr]) stream?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)))
    // Ready once it answers PING (it answers -LOADING while it reads the append-only file back).
    await waitFor(`redis-server on ${port} to answer PING`, async () => {
      if (failure) throw new Error(`${failure}: ${output.slice(-500)}`)
      return ping(port)
    }, { timeoutMs: 15_000, describe: () => output.slice(-500) })
  }

  const kill = async (signal: 'SIGKILL' | 'SIGTERM') => {
    if (child) await signalAndWait(child, signal)
  }

  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    persistent,
    get running() {
      return running(child)
    },
    start,
    kill,
    async restart(signal = 'SIGKILL') {
      await kill(signal)
      await start()
    },
    async stop() {
      await kill('SIGKILL').catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
    output: () => output,
  }
}

/** Whether redis-server on `port` answers PING with PONG now. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1')
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
    socket.once('error', () => done(false))
  })
}
