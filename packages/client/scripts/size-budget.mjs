// The client's size budget, run by the test command after the build: minified + gzip (level 9).
// - dist/static/, what a server serves to browsers as it is: the <script> bundle (IIFE) and the ES
//   module, each with everything; either fails above the budget. The ES module must import nothing: a
//   browser resolves no bare specifier.
// - an app that imports only openChannel from the npm ES module (dist/switchboard.js), bundled and
//   minified as a user's bundler would: it must be no bigger than the <script> bundle, which also
//   carries the server clock and presence; zod is never part of the client
// With SIZE_REPORT=<file>, the figures are also written there as JSON, for the bench's report.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, parseSync } from 'vite'

// 8 KiB for the channel SDK, plus up to 1 KiB for the server clock (and presence) that the browser bundles carry.
const BROWSER_BUDGET = 9 * 1024
const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const gzip = (code) => gzipSync(code, { level: 9 }).length
const withoutMapComment = (code) => code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '')

const iife = withoutMapComment(readFileSync(join(dist, 'static/switchboard.iife.js'), 'utf8'))
const browserEsm = withoutMapComment(readFileSync(join(dist, 'static/switchboard.js'), 'utf8'))
const { module } = parseSync('switchboard.js', browserEsm)
const requests = [...module.staticImports.map((i) => i.moduleRequest.value), ...module.staticExports.flatMap((e) => e.entries.flatMap((x) => x.moduleRequest?.value ?? []))]
if (requests.length > 0 || module.dynamicImports.length > 0) {
  throw new Error(`dist/static/switchboard.js imports ${JSON.stringify(requests)}: a browser cannot load it from /static/ as it is`)
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-size-'))
/** An app of `source` (imports resolved against dist/), bundled and minified as a user's bundler would. */
async function bundle(name, source) {
  const entry = join(dir, `${name}.js`)
  writeFileSync(entry, source.replaceAll('dist/', `${dist}`))
  const [result] = await build({
    logLevel: 'silent',
    configFile: false,
    root: fileURLToPath(new URL('..', import.meta.url)),
    build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: name } },
  })
  return result.output[0].code
}
const app = await bundle('app', `import { openChannel } from 'dist/switchboard.js'\nopenChannel('broadcast_channel').on('chat', console.log)\n`)
const withClock = await bundle(
  'app-clock',
  `import { openChannel } from 'dist/switchboard.js'\nimport { createServerClock } from 'dist/clock.js'\nconst c = openChannel('broadcast_channel')\nc.on('chat', console.log)\ncreateServerClock(c).at(0, console.log)\n`,
)
if ([iife, browserEsm, app].some((code) => /zod/.test(code))) throw new Error('zod found in a client bundle')

const kb = (n) => `${(n / 1024).toFixed(2)} KiB`
const used = (n) => `(budget ${kb(BROWSER_BUDGET)}, ${((n / BROWSER_BUDGET) * 100).toFixed(1)}% used)`
const sizes = [
  ['dist/static/switchboard.iife.js (<script>)', iife, true],
  ['dist/static/switchboard.js (<script type=module>)', browserEsm, true],
  ['an app importing openChannel from dist/switchboard.js', app, false],
]
const width = Math.max(...sizes.map(([label]) => label.length))
let over = false
for (const [label, code, budgeted] of sizes) {
  const zipped = gzip(code)
  const ratio = budgeted ? '' : ` (${(zipped / gzip(iife)).toFixed(2)}× the <script> bundle; at most 1×)`
  console.log(`size: ${label.padEnd(width)}  ${kb(code.length)} min, ${kb(zipped)} gzip = ${zipped} B${budgeted ? ` ${used(zipped)}` : ratio}`)
  if (budgeted && zipped > BROWSER_BUDGET) {
    console.error(`size: ${label} is ${zipped - BROWSER_BUDGET} bytes over its budget`)
    over = true
  }
  if (!budgeted && zipped > gzip(iife)) {
    console.error(`size: ${label} is ${zipped - gzip(iife)} bytes bigger than the <script> bundle`)
    over = true
  }
}
const withPresence = await bundle(
  'app-presence',
  `import { openChannel } from 'dist/switchboard.js'\nimport { watchPresence } from 'dist/presence.js'\nconst c = openChannel('broadcast_channel')\nc.on('chat', console.log)\nwatchPresence(c).onJoin(console.log)\n`,
)
// What an app pays for each feature it imports, on top of the channel SDK (and nothing when it does not).
console.log(`size: the server clock (@switchboard/client/clock) adds ${gzip(withClock) - gzip(app)} B gzip to an app that imports it`)
console.log(`size: presence (@switchboard/client/presence) adds ${gzip(withPresence) - gzip(app)} B gzip to an app that imports it`)
if (process.env.SIZE_REPORT) {
  const report = { budget: BROWSER_BUDGET, iife: gzip(iife), esm: gzip(browserEsm), app: gzip(app), clock: gzip(withClock) - gzip(app), presence: gzip(withPresence) - gzip(app) }
  writeFileSync(process.env.SIZE_REPORT, JSON.stringify(report))
}
if (over) process.exit(1)
