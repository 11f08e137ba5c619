// 3. Scaling, memory: server RSS per idle connection at 2,000 and 10,000 connections, after a garbage collection;
// the Switchboard server (in memory) against raw ws, side by side at each count.
import { once } from 'node:events'
import { signal, within } from './deadline.js'
import { fmt, rssOf, runScript } from './harness.js'
import type { ServerProcess } from './harness.js'
import { SECRET, withServers } from './topologies.js'

export const CONNECTION_COUNTS = [2000, 10_000] as const
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500))

export interface MemoryRun {
  connections: number
  /** RSS, bytes. */
  before: number
  after: number
  perConnection: number
  /** Live bytes after a collection (heap used plus external): steadier than RSS, which includes free heap. */
  liveBefore: number
  liveAfter: number
  livePerConnection: number
}

export interface MemoryScale {
  connections: number
  raw: MemoryRun
  switchboard: MemoryRun
}

async function measure(server: ServerProcess, connections: number): Promise<MemoryRun> {
  await settle()
  const liveBefore = await server.collect()
  const before = rssOf(server.pid)
  const ready = signal()
  const load = runScript('./memory-load.ts', { URL: server.url, SWITCHBOARD_SECRET: SECRET, CONNECTIONS: String(connections) }, (line) => line === 'ready' && ready.resolve())
  const exited = once(load, 'exit')
  try {
    await within(Promise.race([ready.promise, exited.then(([code]) => Promise.reject(new Error(`memory-load.ts exited with ${String(code)}`)))]), 120_000, `${connections} idle sockets`)
    await settle()
    const liveAfter = await server.collect()
    const after = rssOf(server.pid)
    return { connections, before, after, perConnection: (after - before) / connections, liveBefore, liveAfter, livePerConnection: (liveAfter - liveBefore) / connections }
  } finally {
    load.kill('SIGTERM')
    await exited
    // Killed, not stopped: 10,000 closes keep the Switchboard server busy past an orderly shutdown's time.
    await server.kill()
  }
}

async function measureKind(kind: 'raw' | 'memory', connections: number): Promise<MemoryRun> {
  const run = await withServers(kind, (servers) => measure(servers[0] as ServerProcess, connections))
  console.log(`memory ${kind === 'raw' ? 'raw' : 'switchboard'}: RSS ${fmt(run.before / 2 ** 20, 1)} → ${fmt(run.after / 2 ** 20, 1)} MiB at ${fmt(connections)} idle sockets, ${fmt(run.perConnection / 1024, 1)} KiB per connection (live heap ${fmt(run.livePerConnection / 1024, 2)} KiB)`)
  return run
}

export async function benchMemory(): Promise<MemoryScale[]> {
  const scales: MemoryScale[] = []
  for (const connections of CONNECTION_COUNTS) {
    const raw = await measureKind('raw', connections)
    const switchboard = await measureKind('memory', connections)
    console.log(`memory ratio switchboard/raw per connection at ${fmt(connections)}: RSS ${fmt(switchboard.perConnection / raw.perConnection, 2)}×, live heap ${fmt(switchboard.livePerConnection / raw.livePerConnection, 2)}×`)
    scales.push({ connections, raw, switchboard })
  }
  return scales
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMemory()
