// docs/benchmarks.md from one run's figures: every table, each figure with its ratio to the reference
// run beside it.
import type { DispatchResult } from './dispatch.js'
import type { FanoutRun, FanoutScale } from './fanout.js'
import { lostDeliveries } from './fanout.js'
import { fmt } from './harness.js'
import { LATENCY_LOAD, P99_GOAL } from './latency.js'
import type { LatencyResult } from './latency.js'
import type { MemoryRun, MemoryScale } from './memory.js'
import type { ResumeClientsResult } from './resume-clients.js'
import { RESUME_LOAD, resumeRatio } from './resume.js'
import type { ResumePair, ResumeResult } from './resume.js'
import type { StormRun } from './storm.js'
import { TOPOLOGY_LABELS } from './topologies.js'

export interface BenchResults {
  dispatch: DispatchResult
  latency: LatencyResult
  fanout: FanoutScale[]
  storm: { jitter: StormRun; fixed: StormRun }
  memory: MemoryScale[]
  resume: ResumeResult
}

export interface RunInfo {
  date: string
  minutes: number
  machine: string
  /** The chart's file name, beside the report. */
  chart: string
}

const ratio = (value: number, reference: number) => `${fmt(value / reference, 2)}×`
const ms = (value: number | null) => (value === null ? '–' : `${fmt(value)} ms`)
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`

function latencyRows({ raw, memory, redis }: LatencyResult): string {
  const row = (label: string, run: FanoutRun) => `| ${label} | ${fmt(run.p50, 1)} | ${fmt(run.p99, 1)} | ${ratio(run.p50, raw.p50)} | ${ratio(run.p99, raw.p99)} |`
  return [row(TOPOLOGY_LABELS.raw, raw), row(TOPOLOGY_LABELS.memory, memory), row(TOPOLOGY_LABELS.redis, redis)].join('\n')
}

function fanoutRows(scales: FanoutScale[]): string {
  const row = (scale: FanoutScale, label: string, run: FanoutRun) =>
    `| ${fmt(scale.subscribers)} × ${fmt(run.messages)} | ${label} | ${fmt(run.perSecond)} | ${fmt(run.p50, 0)} | ${fmt(run.p99, 0)} | ${ratio(run.perSecond, scale.raw.perSecond)} | ${ratio(run.p99, scale.raw.p99)} |`
  return scales
    .flatMap((scale) => [row(scale, TOPOLOGY_LABELS.raw, scale.raw), row(scale, TOPOLOGY_LABELS.memory, scale.memory), ...(scale.redis ? [row(scale, TOPOLOGY_LABELS.redis, scale.redis)] : [])])
    .join('\n')
}

function memoryRows(scales: MemoryScale[]): string {
  const row = (label: string, run: MemoryRun, raw: MemoryRun) =>
    `| ${fmt(run.connections)} | ${label} | ${mib(run.before)} | ${mib(run.after)} | ${fmt(run.perConnection / 1024, 1)} KiB | ${ratio(run.perConnection, raw.perConnection)} |`
  return scales.flatMap(({ raw, switchboard }) => [row('raw ws', raw, raw), row('Switchboard server', switchboard, raw)]).join('\n')
}

function resumeRows(result: ResumeResult): string {
  const row = (label: string, pair: ResumePair, run: ResumeClientsResult, isReference: boolean) =>
    `| ${label} | ${run.resume ? 'on' : 'off (reference)'} | ${ms(run.firstOpenMs)} | ${ms(run.allOpenMs)} | ${ms(run.caughtUpMs)} | ${run.fewestReceived}–${run.mostReceived} | ${run.gaps} | ${isReference ? '1.00×' : fmt(resumeRatio(pair), 2) + '×'} |`
  return (['memory', 'redis'] as const).flatMap((topology) => [row(TOPOLOGY_LABELS[topology], result[topology], result[topology].plain, true), row(TOPOLOGY_LABELS[topology], result[topology], result[topology].resume, false)]).join('\n')
}

function lostLine(results: BenchResults): string {
  const runs = [...Object.values(results.latency), ...results.fanout.flatMap((scale) => [scale.raw, scale.memory, ...(scale.redis ? [scale.redis] : [])])]
  const lost = lostDeliveries(runs)
  return lost === 0 ? `No delivery lost in the ${runs.length} fan-out and latency runs.` : `**${fmt(lost)} deliveries lost** over the ${runs.length} fan-out and latency runs (see the bench's output).`
}

export function renderReport(results: BenchResults, info: RunInfo): string {
  const { dispatch, latency, storm, resume } = results
  const goal = latency.memory.p99 / latency.raw.p99
  return `# Benchmarks

Figures from \`pnpm bench\` (\`npm run bench\`), run on ${info.date} in ${fmt(info.minutes, 1)} minutes on:
${info.machine}.

Absolute figures drift on a shared 2-core machine; every figure here is a ratio against a reference
run side by side in the same run. The bench rewrites this file each time it runs.

## 1. Client dispatch (100,000 frames, median of 7 rounds)

The SDK path is socket event → prefix check → \`JSON.parse\` → room filter → dispatch by \`type\` (mitt),
with metadata and per-handler error isolation. The reference is the hand-written Dallinger recipe:
a prefix check, \`JSON.parse\`, and a \`switch\` on \`type\` with the same room filter.

| | SDK msg/s | hand-written msg/s | ratio |
|---|---|---|---|
| plain | ${fmt(dispatch.plain.sdk)} | ${fmt(dispatch.plain.recipe)} | ${fmt(dispatch.plain.ratio, 2)}× |
| with zod (SDK schemas / recipe + \`safeParse\`) | ${fmt(dispatch.zod.sdk)} | ${fmt(dispatch.zod.recipe)} | ${fmt(dispatch.zod.ratio, 2)}× |
| resume extension (SDK frames carry ids, deduplicated; the recipe's are plain) | ${fmt(dispatch.resume.sdk)} | ${fmt(dispatch.resume.recipe)} | ${fmt(dispatch.resume.ratio, 2)}× |

Where the gap comes from (CPU profile of the bench, \`--cpu-prof\`): \`JSON.parse\` dominates both
paths. The SDK's extra work per message is the work the recipe leaves out:
- a metadata object (\`channel\`, \`raw\`, \`receivedAt\` from \`Date.now()\`) and a delivery object;
- mitt's \`emit\`, which copies the handler array and maps over it on every message;
- a try/catch around every handler, so that a throwing handler cannot break dispatch;
- the heartbeat's clock read on every frame (any frame counts as life);
- with the resume extension, reading the id in front of each frame and dropping one seen before.

The hot path allocates no closures and does not slice the channel name out of the frame. What remains
is the price of those features; at about 0.5 million messages a second it is far above what any
experiment sends.

## 2. Latency under a realistic load

One channel, ${fmt(LATENCY_LOAD.subscribers)} subscribers, a publisher at ${LATENCY_LOAD.rate} messages/s (${fmt(LATENCY_LOAD.subscribers * LATENCY_LOAD.rate)} deliveries/s, far from
saturation) for ${fmt(LATENCY_LOAD.messages / LATENCY_LOAD.rate)} s (${LATENCY_LOAD.messages} messages), after ${LATENCY_LOAD.warmup} not counted. Latency is send to receipt: the send
time is in the payload, read on the same clock in the one load process. The Redis row splits the
subscribers over two server processes.

**Goal: p99 ≤ ${P99_GOAL}× raw in memory mode.** This run: ${fmt(goal, 2)}×, ${goal <= P99_GOAL ? 'met' : '**not met**'}.

| server | p50 ms | p99 ms | p50 / raw | p99 / raw |
|---|---|---|---|---|
${latencyRows(latency)}

## 3. Scaling

![Fan-out throughput and p99 against subscribers; memory per idle socket against sockets](${info.chart})

### Fan-out (one channel, about 1,000,000 deliveries per run, all sent at once)

Messages per run are 1,000,000 / subscribers, so every run does the same work. Latency here is the
queueing delay of a million deliveries, not the latency of a quiet server (that is section 2). On 2
cores the load process that receives every delivery is the bottleneck for every server, the raw one
included. The Redis row uses two server processes, each writing to half of the subscribers; that
parallel fan-out is why it can beat the single-process reference. It is a different deployment, not
a faster relay. ${lostLine(results)}

| subscribers × messages | server | deliveries/s | p50 ms | p99 ms | throughput / raw | p99 / raw |
|---|---|---|---|---|---|---|
${fanoutRows(results.fanout)}

### Memory (server RSS per idle connection, after a garbage collection)

| sockets | server | RSS before | RSS after | per connection | ratio to raw |
|---|---|---|---|---|---|
${memoryRows(results.memory)}

The Switchboard server holds more per socket than raw \`ws\`:
- its connection record: the bound participant, a rate-limit bucket, and a promise chain that keeps
  frames in order while access checks wait on the shared state;
- four event listeners instead of two;
- a broker subscription entry, and presence counts per participant.

## 4. Reconnect storm (1,000 clients, server restart)

The server runs in Redis mode, so its state outlives the restart. A server in memory mode begins anew
and refuses the old credentials (4410).

| backoff | all open again after the drop | server down | attempts | most attempts in any 100 ms |
|---|---|---|---|---|
| SDK default: per-attempt jitter in [1 s, 2 s], [1 s, 4 s], … | ${fmt(storm.jitter.reopenMs)} ms | ${fmt(storm.jitter.downtimeMs)} ms | ${storm.jitter.attempts} | ${storm.jitter.maxAttemptsPer100ms} |
| reference: fixed 1 s delay, no jitter | ${fmt(storm.fixed.reopenMs)} ms | ${fmt(storm.fixed.downtimeMs)} ms | ${storm.fixed.attempts} | ${storm.fixed.maxAttemptsPer100ms} |

The jitter is working if the peak per 100 ms stays well below the reference's. That spread costs a
longer time until everyone is back.

## 5. Resume at scale (${RESUME_LOAD.clients} SDK clients, one channel, every socket dropped at once)

The server cuts every socket (\`dropConnections\`) and at once publishes ${RESUME_LOAD.messages} messages on the channel,
as an experiment's server side would, before any client is back. The clients (backoff
${RESUME_LOAD.minDelayMs}–${RESUME_LOAD.maxDelayMs} ms, the same in both runs) then reconnect. With resume, the time until every client
holds all ${RESUME_LOAD.messages}, replayed from history. The reference is the same clients without resume: the time
until every one is open again, since they cannot catch up. Times are from the drop; the ratio is
"all caught up" over the reference's "all open". In Redis mode the clients are split over two
processes; the first one publishes. With resume a client is open once the server's hello comes,
which waits for its history read (at most 16 at once per process, \`replay.maxInFlight\`), so "all
open" and "all caught up" nearly coincide.

| server | resume | first back | all open | all caught up | messages held | gaps | ratio |
|---|---|---|---|---|---|---|---|
${resumeRows(resume)}

"Messages held" is the fewest and the most any client had of the ${RESUME_LOAD.messages}. Without resume, 0 means all
were published before any client was back; more than 0 means a server process was still relaying
them when some clients returned, so those got them live.
`
}
