// The client's size budget, run by the test command after the build: minified + gzip (level 9).
// - the <script> bundle (IIFE): everything, dependencies included; fails above the budget
// - an app that imports only openChannel from the ES module, bundled and minified with its
//   dependencies (mitt, reconnecting-websocket); zod is never part of the client
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

const IIFE_BUDGET = 8 * 1024
const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const gzip = (code) => gzipSync(code, { level: 9 }).length

const iife = readFileSync(join(dist, 'switchboard.iife.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '')
const iifeGzip = gzip(iife)

const dir = mkdtempSync(join(tmpdir(), 'switchboard-size-'))
const entry = join(dir, 'app.js')
writeFileSync(entry, `import { openChannel } from ${JSON.stringify(join(dist, 'switchboard.js'))}\nopenChannel('broadcast_channel').on('chat', console.log)\n`)
const [result] = await build({
  logLevel: 'silent',
  configFile: false,
  root: fileURLToPath(new URL('..', import.meta.url)),
  build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: 'app' } },
})
const esm = result.output[0].code
const esmGzip = gzip(esm)
if (/zod/.test(iife) || /zod/.test(esm)) throw new Error('zod found in a client bundle')

const kb = (n) => `${(n / 1024).toFixed(2)} KiB`
console.log(`size: IIFE (<script>)            ${kb(iife.length)} min, ${kb(iifeGzip)} gzip (budget ${kb(IIFE_BUDGET)}, ${((iifeGzip / IIFE_BUDGET) * 100).toFixed(1)}% used)`)
console.log(`size: ESM import of openChannel  ${kb(esm.length)} min, ${kb(esmGzip)} gzip`)
if (iifeGzip > IIFE_BUDGET) {
  console.error(`size: the IIFE is ${iifeGzip - IIFE_BUDGET} bytes over its budget`)
  process.exit(1)
}
