import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './redis-server.js'

/** A real PostgreSQL server of Debian's package, in a temporary folder on a free loopback port, for tests. */
export interface PostgresServer {
  /** `postgres://switchboard@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  url: string
  /** Empties the record's table. */
  reset(): Promise<void>
  stop(): Promise<void>
}

/** The newest PostgreSQL installed by Debian's packages (`npm test` installs one when none is). */
function binDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : []
  if (versions[0] === undefined) throw new Error('no PostgreSQL server in /usr/lib/postgresql (npm test installs Debian\'s postgresql package)')
  return join(root, versions[0], 'bin')
}

/** PostgreSQL refuses to run as root: then it runs as the package's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'))
  const [, , uid, gid] = line?.split(':') ?? []
  if (uid === undefined || gid === undefined) throw new Error('running as root, and there is no postgres user to run PostgreSQL as')
  return { uid: Number(uid), gid: Number(gid) }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir()
  const user = runAs()
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-postgres-'))
  if (user) chownSync(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'switchboard', '-E', 'UTF8', '--no-sync'], { stdio: 'ignore', ...(user ?? {}) })
  const port = await freePort()
  // Durability is not under test here: no fsync, so the suite stays fast on a busy machine.
  const child: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'], { stdio: 'ignore', ...(user ?? {}) })
  const url = `postgres://switchboard@127.0.0.1:${port}/postgres`
  await ready(url, child)
  return {
    url,
    async reset() {
      const client = new pg.Client(url)
      await client.connect()
      await client.query('DROP TABLE IF EXISTS switchboard_record')
      await client.end()
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit')
        child.kill('SIGINT') // PostgreSQL's fast shutdown
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function ready(url: string, child: ChildProcess): Promise<void> {
  let last: unknown
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode} before it was ready`)
    const client = new pg.Client(url)
    client.on('error', () => {})
    try {
      await client.connect()
      await client.end()
      return
    } catch (error) {
      last = error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw new Error(`postgres did not get ready: ${String(last)}`)
}
