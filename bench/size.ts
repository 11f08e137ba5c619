// 7. Size: the client's bundles, minified and gzipped, as its size budget measures them (the client
// must be built first; scripts/bench.sh builds it). The budget script fails the test command above
// its budget; here the figures are only reported, each with its ratio.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'
import { fmt } from './harness.js'

export interface SizeResult {
  /** The <script> bundles' budget, in bytes gzip. */
  budget: number
  /** dist/static/switchboard.iife.js, the <script> bundle (with the server clock and presence). */
  iife: number
  /** dist/static/switchboard.js, the same for <script type="module">. */
  esm: number
  /** An app that imports only openChannel from the npm ES module, bundled and minified. */
  app: number
  /** What the server clock and presence add to such an app. */
  clock: number
  presence: number
}

export function benchSize(): SizeResult {
  const report = join(mkdtempSync(join(tmpdir(), 'switchboard-bench-size-')), 'size.json')
  const script = fileURLToPath(new URL('../packages/client/scripts/size-budget.mjs', import.meta.url))
  const run = spawnSync(process.execPath, [script], { env: { ...process.env, SIZE_REPORT: report }, encoding: 'utf8' })
  // Over its budget, the script exits 1 and still writes its figures: they are reported all the same.
  if (!existsSync(report)) throw new Error(`the size budget wrote no figures (is the client built?):\n${run.stdout}${run.stderr}`)
  if (run.status !== 0) console.log(run.stderr.trim())
  const size = JSON.parse(readFileSync(report, 'utf8')) as SizeResult
  const kib = (bytes: number) => `${fmt(bytes / 1024, 2)} KiB`
  console.log(`size: <script> bundle ${kib(size.iife)} gzip (${fmt((size.iife / size.budget) * 100, 1)}% of its ${kib(size.budget)} budget); an app importing openChannel ${kib(size.app)} (${fmt(size.app / size.iife, 2)}× the <script> bundle)`)
  return size
}

if (import.meta.url === `file://${process.argv[1]}`) benchSize()
