// `pnpm bench`: every benchmark, side by side with its reference in the same run, then the figures and
// the machine they ran on written to docs/benchmarks.md, and the scaling curves to docs/benchmarks-scaling.svg.
import { writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { scalingChart } from './chart.js'
import { benchDispatch } from './dispatch.js'
import { profileDispatch } from './dispatch-profile.js'
import { benchFanout } from './fanout.js'
import { fmt } from './harness.js'
import { benchLatency } from './latency.js'
import { benchMemory } from './memory.js'
import { REPORT_DATA, renderReport } from './report.js'
import type { BenchResults } from './report.js'
import { benchResume } from './resume.js'
import { benchSize } from './size.js'
import { benchStorm } from './storm.js'

const CHART = 'benchmarks-scaling.svg'
const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url))

const started = Date.now()
const results: BenchResults = {
  size: benchSize(),
  dispatch: await benchDispatch(),
  // Where the resume variant's time goes, by function: what the dispatch ratios leave to explain.
  dispatchProfile: await profileDispatch('resume'),
  latency: await benchLatency(),
  fanout: await benchFanout(),
  storm: await benchStorm(),
  memory: await benchMemory(),
  resume: await benchResume(),
}
const minutes = (Date.now() - started) / 60_000

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Linux ${release()}, Node ${process.version}`
const info = { date: new Date().toISOString().slice(0, 10), minutes, machine, chart: CHART }
// The figures as data too, for other tools, and so that report.ts can write the page again without a run.
writeFileSync(docs(REPORT_DATA), `${JSON.stringify({ info, results }, null, 1)}\n`)
writeFileSync(docs(CHART), await scalingChart(results.fanout, results.memory))
writeFileSync(docs('benchmarks.md'), renderReport(results, info))
console.log(`\nbench: done in ${fmt(minutes, 1)} minutes; figures written to docs/benchmarks.md, docs/${REPORT_DATA} and docs/${CHART}`)
