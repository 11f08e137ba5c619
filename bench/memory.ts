// 4. Memory: server RSS per idle connection at 2,000 connections, the Switchboard server against raw ws.
import { once } from 'node:events'
import { fmt, rssOf, runScript, startServer } from './harness.js'

const CONNECTIONS = 2000
const SECRET = 'bench-secret'
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500))

export interface MemoryRun {
  before: number
  after: number
  perConnection: number
}

async function measure(kind: 'raw' | 'switchboard'): Promise<MemoryRun> {
  const server = await startServer(kind, { SWITCHBOARD_SECRET: SECRET })
  await settle()
  await server.collect()
  const before = rssOf(server.pid)
  let resolveReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  const load = runScript('./memory-load.ts', { URL: server.url, SWITCHBOARD_SECRET: SECRET, CONNECTIONS: String(CONNECTIONS) }, (line) => line === 'ready' && resolveReady())
  await ready
  await settle()
  await server.collect()
  const after = rssOf(server.pid)
  load.kill('SIGTERM')
  await once(load, 'exit')
  await server.stop()
  const run = { before, after, perConnection: (after - before) / CONNECTIONS }
  console.log(`memory ${kind}: RSS ${fmt(before / 2 ** 20, 1)} → ${fmt(after / 2 ** 20, 1)} MiB at ${CONNECTIONS} idle sockets, ${fmt(run.perConnection / 1024, 1)} KiB per connection`)
  return run
}

export async function benchMemory(): Promise<{ raw: MemoryRun; switchboard: MemoryRun }> {
  const raw = await measure('raw')
  const switchboard = await measure('switchboard')
  console.log(`memory ratio switchboard/raw per connection: ${fmt(switchboard.perConnection / raw.perConnection, 2)}×`)
  return { raw, switchboard }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMemory()
