// 3. Scaling, fan-out: one channel with 50, 500 and 2,000 subscribers in a separate load process, about
// 1,000,000 deliveries per run (MESSAGES = 1e6 / SUBSCRIBERS, all sent at once); the Switchboard server in
// memory mode against a raw ws broadcast server, side by side at each size, and at 500 subscribers
// Switchboard in Redis mode on two processes too.
import type { FanoutLoadResult } from './fanout-load.js'
import { fmt, runLoad } from './harness.js'
import type { ServerProcess } from './harness.js'
import { serverEnv, TOPOLOGY_LABELS, withServers } from './topologies.js'
import type { Topology } from './topologies.js'

export const SUBSCRIBER_COUNTS = [50, 500, 2000] as const
const DELIVERIES = 1_000_000

export interface FanoutLoad {
  subscribers: number
  messages: number
  /** Messages a second, paced; absent: all at once. */
  rate?: number
  /** Paced messages sent first and not counted. */
  warmup?: number
}

export interface FanoutRun extends FanoutLoadResult {
  subscribers: number
  messages: number
}

export interface FanoutScale {
  subscribers: number
  raw: FanoutRun
  memory: FanoutRun
  /** Only at 500 subscribers. */
  redis?: FanoutRun
}

/** One run of fanout-load.ts against `servers`, printed as it ends. */
export async function fanoutRun(label: string, servers: ServerProcess[], load: FanoutLoad): Promise<FanoutRun> {
  const paced = load.rate === undefined ? {} : { RATE: String(load.rate), WARMUP: String(load.warmup ?? 0) }
  const result = await runLoad<FanoutLoadResult>('./fanout-load.ts', { ...serverEnv(servers), SUBSCRIBERS: String(load.subscribers), MESSAGES: String(load.messages), ...paced })
  const run: FanoutRun = { ...result, subscribers: load.subscribers, messages: load.messages }
  const lost = run.expected - run.delivered
  const shape = `${fmt(run.subscribers)} subscribers × ${fmt(run.messages)} messages${load.rate === undefined ? '' : ` at ${load.rate}/s`}`
  console.log(`${label}, ${shape}: ${fmt(run.perSecond)} deliveries/s, p50 ${fmt(run.p50, 1)} ms, p99 ${fmt(run.p99, 1)} ms${lost > 0 ? `; LOST ${fmt(lost)} of ${fmt(run.expected)}, ${run.closed} sockets closed` : ''}`)
  return run
}

/** Total deliveries short of the expected over `runs`. */
export function lostDeliveries(runs: FanoutRun[]): number {
  return runs.reduce((sum, run) => sum + run.expected - run.delivered, 0)
}

const atOnce = (topology: Topology, subscribers: number) =>
  withServers(topology, (servers) => fanoutRun(`fan-out ${TOPOLOGY_LABELS[topology]}`, servers, { subscribers, messages: Math.round(DELIVERIES / subscribers) }))

export async function benchFanout(): Promise<FanoutScale[]> {
  const scales: FanoutScale[] = []
  for (const subscribers of SUBSCRIBER_COUNTS) {
    const raw = await atOnce('raw', subscribers)
    const memory = await atOnce('memory', subscribers)
    const redis = subscribers === 500 ? await atOnce('redis', subscribers) : undefined
    console.log(`fan-out ratio to raw at ${fmt(subscribers)} subscribers: throughput ${fmt(memory.perSecond / raw.perSecond, 2)}× in memory${redis ? `, ${fmt(redis.perSecond / raw.perSecond, 2)}× Redis` : ''}; p99 ${fmt(memory.p99 / raw.p99, 2)}× in memory`)
    scales.push({ subscribers, raw, memory, ...(redis ? { redis } : {}) })
  }
  return scales
}

if (import.meta.url === `file://${process.argv[1]}`) await benchFanout()
