// docs/benchmarks.md from one run's figures: every table, each figure with its ratio to the reference
// run beside it. Run by itself (tsx --conditions=@switchboard/source report.ts), it writes the page again from the last run's figures
// in docs/benchmarks.json, for a change to the page's text.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MESSAGES_PER_ROUND, TIMED_ROUNDS } from './dispatch.js'
import type { DispatchResult } from './dispatch.js'
import { profileTotal, topRows } from './dispatch-profile.js'
import type { DispatchProfile, ProfileRows } from './dispatch-profile.js'
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
import type { SizeResult } from './size.js'
import { TOPOLOGY_LABELS } from './topologies.js'

/** The last run's figures, beside the page (in docs/). */
export const REPORT_DATA = 'benchmarks.json'

/** The goals for dispatch: ratios to the hand-written recipe. */
export const DISPATCH_GOALS = { plain: 0.9, resume: 0.85 }
const met = (ratio: number, goal: number) => (ratio >= goal ? 'met' : '**not met**')

/** What reading the ids costs a hand-written page, and what the SDK's resume ratio is made of. */
function resumeCeilingText(dispatch: DispatchResult): string {
  const { ratio, ids } = dispatch.resume
  if (!ids) return 'this run has no ceiling row.'
  const plain = dispatch.plain.ratio
  const cost = `the ceiling row puts reading them, the fastest way measured, at ${fmt(ids.extraNs, 0)} ns per message in this run (${fmt(ids.ceiling, 2)}× the plain recipe).`
  const against = `Against that page the SDK is at ${fmt(ids.sdkRatio, 2)}×, where plain it is at ${fmt(plain, 2)}× the recipe`
  // Within the noise of one run (±0.03), resume costs the SDK as much over that page as plain costs it over the recipe.
  if (Math.abs(ids.sdkRatio - plain) > 0.03) {
    return `${cost} ${against}: its resuming path costs ${ids.sdkRatio < plain ? 'more' : 'less'} over that page than its plain path over the recipe.`
  }
  const goal = ratio < DISPATCH_GOALS.resume && plain < DISPATCH_GOALS.plain ? ' What keeps resume from its goal is then what keeps plain from its own.' : ''
  return `${cost} ${against}: the SDK adds about as much to the reading of ids as it adds plain, and its resume ratio is about its plain ratio times the ceiling (${fmt(plain, 2)} × ${fmt(ids.ceiling, 2)} = ${fmt(plain * ids.ceiling, 2)}, measured ${fmt(ratio, 2)}).${goal}`
}

/** The ceiling row: the recipe that also reads ids, against the plain recipe, and the SDK against it. */
function idRecipeRow(dispatch: DispatchResult): string {
  const { ids } = dispatch.resume
  if (!ids) return ''
  return `| ceiling: the recipe reading ids as well (${fmt(ids.recipe)} msg/s) | SDK ${fmt(ids.sdkRatio, 2)}× it | | ${fmt(ids.ceiling, 2)}× the recipe | | ${fmt(ids.extraNs, 0)} ns |`
}

export interface BenchResults {
  dispatch: DispatchResult
  dispatchProfile: DispatchProfile
  latency: LatencyResult
  fanout: FanoutScale[]
  storm: { jitter: StormRun; fixed: StormRun }
  memory: MemoryScale[]
  resume: ResumeResult
  size: SizeResult
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
    `| ${fmt(run.connections)} | ${label} | ${mib(run.before)} | ${mib(run.after)} | ${fmt(run.perConnection / 1024, 1)} KiB | ${ratio(run.perConnection, raw.perConnection)} | ${fmt(run.livePerConnection / 1024, 2)} KiB | ${ratio(run.livePerConnection, raw.livePerConnection)} |`
  return scales.flatMap(({ raw, switchboard }) => [row('raw ws', raw, raw), row('Switchboard server', switchboard, raw)]).join('\n')
}

function profileRows(sdk: ProfileRows, recipe: ProfileRows): string {
  const left = topRows(sdk)
  const right = topRows(recipe)
  const cell = (row: ProfileRows[number] | undefined) => (row ? `\`${row[0]}\` | ${fmt(row[1], 0)}` : ' | ')
  return Array.from({ length: Math.max(left.length, right.length) }, (_, i) => `| ${cell(left[i])} | ${cell(right[i])} |`).join('\n')
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
  const { dispatch, dispatchProfile, latency, storm, resume, size } = results
  const goal = latency.memory.p99 / latency.raw.p99
  return `# Benchmarks

Figures from \`pnpm bench\` (\`npm run bench\`), run on ${info.date} in ${fmt(info.minutes, 1)} minutes on:
${info.machine}.

Absolute figures drift on a shared 2-core machine; every figure here is a ratio against a reference
run side by side in the same run. The bench rewrites this file each time it runs.

## 1. Client dispatch (${fmt(MESSAGES_PER_ROUND)} frames a round, ${TIMED_ROUNDS} rounds)

The SDK path is socket event → prefix check → \`JSON.parse\` → room filter → dispatch by \`type\`,
with metadata and per-handler error isolation. The reference is the hand-written Dallinger recipe:
a page's \`onmessage\` with a prefix check, \`JSON.parse\`, and a \`switch\` on \`type\` with the same room
filter. Both hear the frames as message events of the same fake socket, stamped as a browser stamps
them. **Goals: ≥ ${DISPATCH_GOALS.plain}× plain and with zod, ≥ ${DISPATCH_GOALS.resume}× with resume.**

Every round's frames are new to both (decoded from bytes, not in the processor's cache from an
earlier round), as a page's are. The two run side by side in each round, in turn first, and a ratio
is the median of the rounds' ratios: a slow moment of this shared machine then hits both sides of one
ratio, where a ratio of two medians could take them from different moments. The msg/s columns are
each side's median.

| | SDK msg/s | hand-written msg/s | ratio | goal | SDK's extra per message |
|---|---|---|---|---|---|
| plain | ${fmt(dispatch.plain.sdk)} | ${fmt(dispatch.plain.recipe)} | ${fmt(dispatch.plain.ratio, 2)}× | ${met(dispatch.plain.ratio, DISPATCH_GOALS.plain)} | ${fmt(dispatch.plain.extraNs, 0)} ns |
| with zod (SDK schemas / recipe + \`safeParse\`) | ${fmt(dispatch.zod.sdk)} | ${fmt(dispatch.zod.recipe)} | ${fmt(dispatch.zod.ratio, 2)}× | ${met(dispatch.zod.ratio, DISPATCH_GOALS.plain)} | ${fmt(dispatch.zod.extraNs, 0)} ns |
| resume extension (SDK frames carry ids, deduplicated; the recipe's are plain) | ${fmt(dispatch.resume.sdk)} | ${fmt(dispatch.resume.recipe)} | ${fmt(dispatch.resume.ratio, 2)}× | ${met(dispatch.resume.ratio, DISPATCH_GOALS.resume)} | ${fmt(dispatch.resume.extraNs, 0)} ns |
${idRecipeRow(dispatch)}

The ceiling row is a reference for what reading ids costs a page: the plain recipe with, in front
of it, what a resuming page must do by hand (read the id's two numbers, character by character, the
fastest way measured; drop a frame that is not after the last; keep the id; cut it off), on the same
numbered frames. Its ratio column is that page against the plain recipe, and the SDK's resume ratio
against that page is in its second column.

Per message the SDK allocates its metadata object and nothing else of its own:
- the payload is parsed in the inbox, with no result object;
- a schema's own result object is the verdict, and a synchronous schema runs with no closure;
- \`receivedAt\` is the socket event's \`timeStamp\` where the platform stamps it (browsers do), so
  there is no clock read; in Node's \`ws\` it is one \`performance.now()\`, shared with the heartbeat;
- handlers sit in lists that are replaced when one is added or removed, so dispatch copies nothing
  (mitt copied its list and made an event object on every emit);
- an id is read character by character and compared as two numbers, which also give
  \`meta.serverTime\`.

### Where the time goes (a CPU profile of the ${dispatchProfile.variant} variant)

Self time by function in ns per message, sampled every 50 µs over the same rounds (the profiler
adds its own cost, so the totals are above the benchmark's). V8 inlines small functions into their
callers, and \`JSON.parse\` counts to the function that calls it: the inbox's \`_receive\` and the
recipe's handler. \`cd bench && ./node_modules/.bin/tsx --conditions=@switchboard/source
dispatch-profile.ts ${dispatchProfile.variant}\` prints it again; its header says how to see the layers apart.

| SDK: ${fmt(profileTotal(dispatchProfile.sdk), 0)} ns per message | ns | recipe: ${fmt(profileTotal(dispatchProfile.recipe), 0)} ns per message | ns |
|---|---|---|---|
${profileRows(dispatchProfile.sdk, dispatchProfile.recipe)}

What is left plain is no one call but steps of 10–20 ns each that the recipe does not take: the
socket wrapper, the transport's state, the inbox's checks and metadata, the filter, the try/catch
around every handler. With resume the id reader (\`_numbered\`) is the largest single step. A page
that reads the ids by hand pays for that too: ${resumeCeilingText(dispatch)} The ratios swing by
±0.1 from run to run on this shared machine.

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

### Memory (server RSS and live heap per idle connection, after a garbage collection)

RSS is what the machine gives the process; it includes the heap's free space, which moves by a
whole young-generation block (16 MiB) from run to run, so its ratio at 2,000 sockets swings. The live
heap (V8's heap in use plus memory outside it, buffers included, read after the same collection) is
what the connections hold, and is steady.

| sockets | server | RSS before | RSS after | RSS per connection | ratio to raw | live heap per connection | ratio to raw |
|---|---|---|---|---|---|---|---|
${memoryRows(results.memory)}

The Switchboard server holds more per socket than raw \`ws\` (heap snapshots of 0 against 2,000
idle sockets taken on 2026-12-02, not by this run: about 830 B more before that day's work, about
550 B after it): its connection record
(about 140 B, with the socket's worker and participant ids as its own fields); the Map, Set and
WeakMap entries that find the socket and its participant (the connections, the quota, presence, the
channel's fan-out set, the connection guard); presence's record of the participant's connection
quality; and the listener table of a \`ws\` WebSocket, which knows more event types than raw's. What
went in that round: the connection guard keeps one record per source address, not one per socket; the
peer address Node caches on a socket once it is read (an object and a string) is let go once the guard
has it; a participant's first channel is counted in its quota record, with no key string of its own;
the upgrade's error listener goes once \`ws\` has its own; a round trip is kept in whole ms (no number
object). A channel's sockets share one copy of its name, one broker subscription and one listener set.
The log of control events that the experiment host replays (at most 1,000) fills during the load, and
counts in the figure at 2,000 sockets (about 190 B each) more than at 10,000.

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

## 6. Size (minified, gzip level 9)

| bundle | gzip | ratio |
|---|---|---|
| \`<script>\` bundle, \`dist/static/switchboard.iife.js\` (with the server clock and presence) | ${fmt(size.iife)} B | ${fmt((size.iife / size.budget) * 100, 1)}% of its ${fmt(size.budget)} B budget |
| \`<script type="module">\`, \`dist/static/switchboard.js\` | ${fmt(size.esm)} B | ${fmt((size.esm / size.budget) * 100, 1)}% of the budget |
| an app importing only \`openChannel\` from the npm ES module | ${fmt(size.app)} B | ${fmt(size.app / size.iife, 2)}× the \`<script>\` bundle (goal ≤ 1×) |
| what \`@switchboard/client/clock\` adds to that app | ${fmt(size.clock)} B | |
| what \`@switchboard/client/presence\` adds | ${fmt(size.presence)} B | |

The test command fails if a \`<script>\` bundle is over its budget or the app is bigger than it.
`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url))
  const { info, results } = JSON.parse(readFileSync(docs(REPORT_DATA), 'utf8')) as { info: RunInfo; results: BenchResults }
  writeFileSync(docs('benchmarks.md'), renderReport(results, info))
  console.log(`docs/benchmarks.md written again from docs/${REPORT_DATA} (the run of ${info.date})`)
}
