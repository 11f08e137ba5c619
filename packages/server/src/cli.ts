import { parseArgs } from 'node:util'
import { ENVIRONMENT, serverOptionsFromEnv } from './config.js'
import { runExport } from './export-command.js'
import { runCommand } from './run.js'
import { startServer } from './server.js'

// `switchboard-server`: the server with no experiment, configured by the environment (or the same
// settings as flags, which win).
const FLAGS = {
  port: { type: 'string', env: 'PORT' },
  host: { type: 'string', env: 'HOST' },
  'redis-url': { type: 'string', env: 'REDIS_URL' },
  experiment: { type: 'string', env: 'EXPERIMENT' },
  'channel-rules': { type: 'string', env: 'CHANNEL_RULES' },
  pages: { type: 'string', env: 'PAGES_DIR' },
  'allow-anonymous': { type: 'boolean', env: 'ALLOW_ANONYMOUS' },
  'allowed-origins': { type: 'string', env: 'ALLOWED_ORIGINS' },
  'allowed-hosts': { type: 'string', env: 'ALLOWED_HOSTS' },
  'public-url': { type: 'string', env: 'PUBLIC_URL' },
  'trust-proxy': { type: 'string', env: 'TRUST_PROXY' },
  'max-sockets': { type: 'string', env: 'MAX_SOCKETS' },
  'sockets-per-address': { type: 'string', env: 'SOCKETS_PER_ADDRESS' },
  'participants-per-minute': { type: 'string', env: 'PARTICIPANTS_PER_MINUTE' },
  'presence-grace-ms': { type: 'string', env: 'PRESENCE_GRACE_MS' },
  'record-dir': { type: 'string', env: 'RECORD_DIR' },
  'database-url': { type: 'string', env: 'DATABASE_URL' },
  dallinger: { type: 'boolean', env: 'DALLINGER' },
  'proxy-to': { type: 'string', env: 'PROXY_TO' },
  'log-level': { type: 'string', env: 'LOG_LEVEL' },
  help: { type: 'boolean', short: 'h' },
} as const

const USAGE = [
  'Usage: switchboard-server [options]',
  '       switchboard-server export --help      the session\'s record from its store',
  '',
  'Runs the Switchboard /chat server, with your experiment (--experiment) or none. Each option can also be set by its environment variable.',
  '',
  ...Object.entries(FLAGS).flatMap(([flag, spec]) => ('env' in spec ? [`  --${flag.padEnd(24)} ${spec.env.padEnd(24)} ${ENVIRONMENT[spec.env]}`] : [])),
  `  ${''.padEnd(26)} ${'SWITCHBOARD_SECRET'.padEnd(24)} ${ENVIRONMENT.SWITCHBOARD_SECRET}`,
  `  ${''.padEnd(26)} ${'SWITCHBOARD_OPERATOR_TOKEN'.padEnd(24)} ${ENVIRONMENT.SWITCHBOARD_OPERATOR_TOKEN}`,
  '',
].join('\n')

// `switchboard-server export …`: the session's record from its store.
if (process.argv[2] === 'export') process.exit(await runExport(process.argv.slice(3)))

let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>
try {
  parsed = parseArgs({ options: FLAGS, strict: true })
} catch (error) {
  process.stderr.write(`switchboard-server: ${(error as Error).message}\n\n${USAGE}`)
  process.exit(2)
}
if (parsed.values.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const env: NodeJS.ProcessEnv = { ...process.env }
for (const [flag, value] of Object.entries(parsed.values)) {
  const spec = FLAGS[flag as keyof typeof FLAGS]
  if ('env' in spec && value !== undefined) env[spec.env] = value === true ? '1' : String(value)
}

await runCommand('switchboard-server', async () => startServer(await serverOptionsFromEnv(env)), (server) =>
  [`Switchboard server is running on ${server.url} (WebSocket ${server.url.replace(/^http/, 'ws')}/chat).`, ...modeLines(env), server.channelRules.describe()].join('\n'),
)

/** What the banner says of Dallinger mode, the front proxy and the credentials' secret. */
function modeLines(env: NodeJS.ProcessEnv): string[] {
  const lines: string[] = []
  const secret = env.SWITCHBOARD_SECRET ? 'SWITCHBOARD_SECRET' : env.DALLINGER === '1' && env.FLASK_SECRET_KEY ? 'a key derived from FLASK_SECRET_KEY' : undefined
  if (env.DALLINGER === '1') {
    lines.push(`Dallinger mode: Python's raw publishes on ${env.REDIS_URL?.replace(/\/\/[^@]*@/, '//***@')} get ids; credentials signed with ${secret ?? 'a secret kept in Redis'}.`)
    if (!secret) lines.push('Warning: neither SWITCHBOARD_SECRET nor FLASK_SECRET_KEY is set: credentials the experiment mints will be refused (docs/dallinger.md).')
  }
  if (env.PROXY_TO) lines.push(`Front proxy: every path but /chat and /switchboard/… goes to ${env.PROXY_TO}.`)
  return lines
}
