// 3. Reconnect storm: 1,000 clients, the server restarts; the time until all are open again, and the most
// connection attempts in any 100 ms window, with the SDK's per-attempt jitter and, for reference, with
// a fixed 1 s delay (what a jitter-free backoff does).
import { once } from 'node:events'
import { fmt, runScript, startServer } from './harness.js'

export interface StormRun {
  clients: number
  reopenMs: number
  attempts: number
  maxAttemptsPer100ms: number
  downtimeMs: number
}

const SECRET = 'bench-secret'

async function storm(label: string, fixedDelay: boolean): Promise<StormRun> {
  let server = await startServer('switchboard', { SWITCHBOARD_SECRET: SECRET })
  const port = server.port
  let resolveReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  let result: Omit<StormRun, 'downtimeMs'> | undefined
  const clients = runScript('./storm-clients.ts', { URL: server.url, SWITCHBOARD_SECRET: SECRET, ...(fixedDelay ? { FIXED_DELAY: '1' } : {}) }, (line) => {
    if (line === 'ready') resolveReady()
    else if (line.startsWith('{')) result = JSON.parse(line) as Omit<StormRun, 'downtimeMs'>
  })
  await ready
  const down = Date.now()
  await server.stop()
  server = await startServer('switchboard', { SWITCHBOARD_SECRET: SECRET, PORT: String(port) })
  const downtimeMs = Date.now() - down
  await once(clients, 'exit')
  await server.stop()
  if (!result) throw new Error('the storm clients reported nothing')
  const run = { ...result, downtimeMs }
  console.log(`storm ${label}: ${run.clients} clients all open again ${fmt(run.reopenMs)} ms after the drop (server down ${fmt(downtimeMs)} ms); ${run.attempts} attempts, at most ${run.maxAttemptsPer100ms} in any 100 ms`)
  return run
}

export async function benchStorm(): Promise<{ jitter: StormRun; fixed: StormRun }> {
  return { jitter: await storm('with jitter (SDK default)', false), fixed: await storm('fixed 1 s delay (reference)', true) }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStorm()
