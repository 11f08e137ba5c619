import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { existsSync, writeFileSync } from 'node:fs'
import { formatReport } from './report.js'
import { runBots } from './run-bots.js'
import type { BotScript, Progress } from './run-bots.js'

// `switchboard-bots`: N bots from a script against a server, a progress line, and a report.
const USAGE = `Usage: switchboard-bots --url http://localhost:5000 --count 20 --script bots/chat.ts [--duration 60s] [--plain] [--json report.json] [--seed 1]

Runs --count bots, each a participant of its own going through a page's flow, with the script's default
export (async (bot) => { ... }) for --duration (s, m or ms; default 30s) or until every script has
finished, whichever comes first, then prints a report: messages
sent, delivered, lost and duplicated, gaps, latency p50/p99, reconnects and refusals. --plain speaks the
plain protocol, as against a stock Dallinger server. Exits 1 when a script failed, or, in resume mode,
when a message was lost or duplicated; 2 on a usage error; 3 when the run could not start (no server
at --url, a script that does not load).
`

const FLAGS = {
  url: { type: 'string' },
  count: { type: 'string', default: '10' },
  script: { type: 'string' },
  duration: { type: 'string', default: '30s' },
  plain: { type: 'boolean', default: false },
  json: { type: 'string' },
  seed: { type: 'string', default: '1' },
  help: { type: 'boolean', short: 'h' },
} as const

function fail(message: string): never {
  process.stderr.write(`switchboard-bots: ${message}\n\n${USAGE}`)
  process.exit(2)
}

/** The run could not start (no server, a script that does not load): exit 3, apart from a pilot that lost messages (1). */
function setupFailed(message: string): never {
  process.stderr.write(`switchboard-bots: ${message}\n`)
  process.exit(3)
}

let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values']
try {
  values = parseArgs({ options: FLAGS, strict: true }).values
} catch (error) {
  fail((error as Error).message)
}
if (values.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}
if (!values.url || !values.script) fail('--url and --script are required')
const count = Number(values.count)
if (!Number.isInteger(count) || count < 1) fail(`--count ${values.count}: expected a whole number of at least 1`)
const durationMs = parseDuration(values.duration)
const scriptPath = resolve(values.script)
if (!existsSync(scriptPath)) fail(`no script at ${scriptPath}`)
let loaded: { default?: unknown }
try {
  loaded = (await import(pathToFileURL(scriptPath).href)) as { default?: unknown }
} catch (error) {
  const code = (error as { code?: string }).code
  // A .ts file with no package.json saying "type": "module" above it loads as CommonJS, which an ES module cannot be.
  const hint = code === 'ERR_REQUIRE_CYCLE_MODULE' || code === 'ERR_REQUIRE_ESM' ? ` (name it .mts, or put a package.json with {"type": "module"} beside it)` : ''
  setupFailed(`cannot load ${values.script}: ${(error as Error).message.split('\n')[0]}${hint}`)
}
if (typeof loaded.default !== 'function') fail(`${values.script} has no default export function (async (bot) => { ... })`)

const tty = process.stderr.isTTY
let lastLine = 0
const report = await runBots({
  url: values.url,
  count,
  script: loaded.default as BotScript,
  durationMs,
  resume: !values.plain,
  seed: Number(values.seed),
  onProgress: (progress: Progress) => {
    const line = `bots ${progress.joined}/${progress.bots} · ${progress.channels} channels open · ${progress.messagesPerSecond} arrivals/s · p50 ${progress.p50Ms === undefined ? '–' : `${progress.p50Ms.toFixed(1)} ms`} · ${(progress.elapsedMs / 1000).toFixed(0)} s`
    // On a terminal one line that updates; in a log (CI), a line every 5 s.
    if (tty) process.stderr.write(`\r${line}\x1b[K`)
    else if (progress.elapsedMs - lastLine >= 5000) {
      lastLine = progress.elapsedMs
      process.stderr.write(`${line}\n`)
    }
  },
}).catch((error: unknown) => setupFailed((error as Error).message))
if (tty) process.stderr.write('\n')
process.stdout.write(`${formatReport(report)}\n`)
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`)
const bad = report.scriptErrors.length > 0 || (report.mode === 'resume' && (report.lost > 0 || report.duplicated > 0))
process.exit(bad ? 1 : 0)

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text)
  if (!match) fail(`--duration ${text}: expected e.g. 60s, 2m or 500ms`)
  const value = Number(match[1])
  return match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000
}
