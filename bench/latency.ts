// 2. Latency under a realistic load: 500 subscribers, a publisher at 20 messages a second (10,000
// deliveries a second, far from saturation) for 10 s, after a 1 s warm-up that is not counted; p50 and
// p99 from send to receipt on raw ws, Switchboard in memory and Switchboard in Redis mode (2 processes).
import { fanoutRun } from './fanout.js'
import type { FanoutRun } from './fanout.js'
import { fmt } from './harness.js'
import { TOPOLOGY_LABELS, withServers } from './topologies.js'
import type { Topology } from './topologies.js'

export const LATENCY_LOAD = { subscribers: 500, rate: 20, messages: 200, warmup: 20 } as const

/** The goal the docs state: p99 in memory mode at most this many times raw ws's. */
export const P99_GOAL = 1.5

export type LatencyResult = Record<Topology, FanoutRun>

const paced = (topology: Topology) => withServers(topology, (servers) => fanoutRun(`latency ${TOPOLOGY_LABELS[topology]}`, servers, LATENCY_LOAD))

export async function benchLatency(): Promise<LatencyResult> {
  const result: LatencyResult = { raw: await paced('raw'), memory: await paced('memory'), redis: await paced('redis') }
  for (const topology of ['memory', 'redis'] as const) {
    const run = result[topology]
    console.log(`latency ratio ${TOPOLOGY_LABELS[topology]} to raw: p50 ${fmt(run.p50 / result.raw.p50, 2)}×, p99 ${fmt(run.p99 / result.raw.p99, 2)}×`)
  }
  const ratio = result.memory.p99 / result.raw.p99
  console.log(`latency goal p99 ≤ ${P99_GOAL}× raw in memory mode: ${ratio <= P99_GOAL ? 'met' : 'NOT met'} (${fmt(ratio, 2)}×)`)
  return result
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLatency()
