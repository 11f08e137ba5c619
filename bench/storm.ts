// 4. Reconnect storm: 1,000 clients, the server restarts; the time until all are open again, and the most
// connection attempts in any 100 ms window, with the SDK's per-attempt jitter and, for reference, with
// a fixed 1 s delay (what a jitter-free backoff does). The server runs in Redis mode, so that its state
// (the participants and their credentials) outlives the restart: a server in memory mode begins anew
// and refuses the clients' credentials (4410).
import { once } from 'node:events'
import { startRedis } from '../packages/server/test/redis-server.js'
import { signal, within } from './deadline.js'
import { fmt, runScript, startServer } from './harness.js'
import { SECRET } from './topologies.js'

export interface StormRun {
  clients: number
  reopenMs: number
  attempts: number
  maxAttemptsPer100ms: number
  downtimeMs: number
}

async function storm(label: string, fixedDelay: boolean): Promise<StormRun> {
  const redis = await startRedis()
  const env = { SWITCHBOARD_SECRET: SECRET, REDIS_URL: redis.url }
  let server = await startServer('switchboard', env)
  const port = server.port
  const ready = signal()
  let result: Omit<StormRun, 'downtimeMs'> | undefined
  const clients = runScript('./storm-clients.ts', { URL: server.url, SWITCHBOARD_SECRET: SECRET, ...(fixedDelay ? { FIXED_DELAY: '1' } : {}) }, (line) => {
    if (line === 'ready') ready.resolve()
    else if (line.startsWith('{')) result = JSON.parse(line) as Omit<StormRun, 'downtimeMs'>
  })
  const exited = once(clients, 'exit') as Promise<[number | null]>
  try {
    await within(Promise.race([ready.promise, exited]), 60_000, 'the storm clients to open')
    const down = Date.now()
    await server.stop()
    server = await startServer('switchboard', { ...env, PORT: String(port) })
    const downtimeMs = Date.now() - down
    const [code] = await within(exited, 120_000, 'the storm clients to be open again')
    if (!result) throw new Error(`the storm clients reported nothing (exit code ${String(code)})`)
    const run = { ...result, downtimeMs }
    console.log(`storm ${label}: ${run.clients} clients all open again ${fmt(run.reopenMs)} ms after the drop (server down ${fmt(downtimeMs)} ms); ${run.attempts} attempts, at most ${run.maxAttemptsPer100ms} in any 100 ms`)
    return run
  } finally {
    clients.kill('SIGTERM')
    await server.stop()
    await redis.stop()
  }
}

export async function benchStorm(): Promise<{ jitter: StormRun; fixed: StormRun }> {
  return { jitter: await storm('with jitter (SDK default)', false), fixed: await storm('fixed 1 s delay (reference)', true) }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStorm()
