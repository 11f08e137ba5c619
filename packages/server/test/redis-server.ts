import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real redis-server on a free loopback port, for tests; `stop()`/`start()` simulate a Redis restart. */
export interface RedisServer {
  url: string
  port: number
  start(): Promise<void>
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * `persistent`: an append-only file synced on every write, so a restart keeps everything; `snapshot`:
 * only what the last SAVE wrote, so a restart goes back to it (Redis's default `save` settings, at their
 * worst). Either in a new temporary folder.
 */
export async function startRedis(options: { persistent?: boolean; snapshot?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort()
  const dir = () => ['--dir', mkdtempSync(join(tmpdir(), 'switchboard-redis-'))]
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '', ...dir()]
    : options.snapshot
      ? ['--appendonly', 'no', '--save', '', ...dir()]
      : ['--save', '', '--appendonly', 'no']
  let child: ChildProcess | undefined
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const bin = process.env.REDIS_SERVER ?? 'redis-server'
      child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--daemonize', 'no'], { stdio: 'ignore' })
      child.once('error', (error) => {
        throw new Error(`cannot start ${bin} (npm test installs it): ${error.message}`)
      })
      await waitForPort(port)
    },
    async stop() {
      if (!child || child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    },
  }
  await server.start()
  return server
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.end()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server did not listen on ${port}`)
}
