import { createHmac } from 'node:crypto'
import { resolve } from 'node:path'
import { loadChannelRules } from './access/channel-rules-source.js'
import { RedisBackend } from './broker/redis-backend.js'
import { loadExperiment } from './experiment/load-experiment.js'
import { createLog } from './log.js'
import type { LogLevel } from './log.js'
import type { ServerOptions } from './server.js'

/** The environment variables the server reads, each with what it sets. */
export const ENVIRONMENT = {
  PORT: 'port to listen on (default 5000)',
  HOST: 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)',
  REDIS_URL: 'redis://host:port: share broker and state with other processes through Redis (default: in memory)',
  EXPERIMENT: 'a module (.ts or .js) whose default export is the experiment\'s server side (default: none)',
  RUN_EXPERIMENT: '0: serve sockets only; another process on the same Redis runs the experiment',
  CHANNEL_RULES: 'a preset (standard, dallinger) or a JSON rules file (default: the experiment\'s rules, else standard)',
  ALLOW_ANONYMOUS: '1: let stock Dallinger pages in without credentials, bound to the participant_id they claim',
  ALLOWED_ORIGINS: 'a,b or *: page origins allowed besides the server\'s own',
  ALLOWED_HOSTS: 'a,b or *: host names the server answers besides localhost (default: loopback names only)',
  PUBLIC_URL: 'https://exp.example.org: where participants reach the server; its host name is answered',
  PAGES_DIR: 'a folder of pages to serve at / (default: none)',
  SWITCHBOARD_SECRET: 'the secret credentials are signed with (default: one kept in the shared state; in Dallinger mode, one derived from FLASK_SECRET_KEY)',
  DALLINGER: '1: Dallinger mode, beside a Dallinger experiment on its Redis (REDIS_URL): the dallinger channel preset, Python\'s raw publishes given ids (docs/dallinger.md)',
  PROXY_TO: 'http://host:port: front proxy: every path but /chat and /switchboard/… goes there unchanged (dallinger debug\'s server)',
  LOG_LEVEL: 'debug, info, warn or error (default info)',
  TRUST_PROXY: 'the number of reverse proxies in front that append to X-Forwarded-For; the address they saw counts (default 0: the socket\'s own)',
  MAX_SOCKETS: 'connections the process holds at once; newcomers past it get 503 (default 10000, or 80% of the open-file limit)',
  SOCKETS_PER_ADDRESS: 'open connections from one source address; more get 429 (default 100; raise it for a lab behind one NAT)',
  PARTICIPANTS_PER_MINUTE: 'participants one source address may create per minute; more get 429 (default 30)',
  RECORD_DIR: 'a folder for the session\'s record: every message, presence and connection events, as JSON lines, a file per process (default: none kept)',
  DATABASE_URL: 'postgres://…: keep the session\'s record in PostgreSQL, table switchboard_record (wins over RECORD_DIR)',
  SWITCHBOARD_OPERATOR_TOKEN: 'the operator\'s token, for GET /export (Authorization: Bearer …) and /dashboard; without it both are off',
  PRESENCE_GRACE_MS: 'how long a participant with no socket on a channel still counts as present, so a reconnect is no leave (default 10000)',
} as const

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/**
 * Server options from the environment (see `ENVIRONMENT`). Connects to Redis when `REDIS_URL` is set;
 * throws, naming the variable, when a value cannot work (a bad rules file, an unknown log level).
 */
export async function serverOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ServerOptions> {
  const level = env.LOG_LEVEL ?? 'info'
  if (!LEVELS.includes(level as LogLevel)) throw new Error(`LOG_LEVEL=${level}: expected one of ${LEVELS.join(', ')}`)
  const port = Number(env.PORT ?? 5000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT=${env.PORT}: expected a port number`)
  const log = createLog(level as LogLevel)
  const channelRules = env.CHANNEL_RULES ? loadChannelRules(env.CHANNEL_RULES) : env.DALLINGER === '1' ? loadChannelRules('dallinger') : undefined
  const experiment = env.EXPERIMENT ? await loadExperiment(env.EXPERIMENT) : undefined
  const dallinger = env.DALLINGER === '1'
  if (dallinger && !env.REDIS_URL) throw new Error('DALLINGER=1 needs REDIS_URL: the Redis of the Dallinger experiment')
  const proxyTo = env.PROXY_TO ? targetOf(env.PROXY_TO) : undefined
  const secret = env.SWITCHBOARD_SECRET || (dallinger && env.FLASK_SECRET_KEY ? dallingerSecret(env.FLASK_SECRET_KEY) : undefined)
  const redis = env.REDIS_URL ? await RedisBackend.connect(env.REDIS_URL, log, { adoptForeign: dallinger }) : undefined
  const origins = env.ALLOWED_ORIGINS
  const trustProxy = count(env, 'TRUST_PROXY', 0)
  const limits = {
    ...(env.MAX_SOCKETS ? { maxSockets: count(env, 'MAX_SOCKETS', 1) } : {}),
    ...(env.SOCKETS_PER_ADDRESS ? { socketsPerAddress: count(env, 'SOCKETS_PER_ADDRESS', 1) } : {}),
    ...(env.PARTICIPANTS_PER_MINUTE ? { participantsPerMinute: count(env, 'PARTICIPANTS_PER_MINUTE', 1) } : {}),
  }
  const hosts = [...(env.ALLOWED_HOSTS && env.ALLOWED_HOSTS !== '*' ? env.ALLOWED_HOSTS.split(',').map((h) => h.trim()) : []), ...(env.PUBLIC_URL ? [publicHost(env.PUBLIC_URL)] : [])]
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    log,
    ...(redis ? { broker: redis, state: redis } : {}),
    ...(channelRules ? { channelRules } : {}),
    ...(experiment ? { experiment } : {}),
    ...(env.PAGES_DIR ? { pagesDir: resolve(env.PAGES_DIR) } : {}),
    runExperiment: env.RUN_EXPERIMENT !== '0',
    allowAnonymous: env.ALLOW_ANONYMOUS === '1',
    ...(trustProxy > 0 ? { trustProxy } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(env.RECORD_DIR ? { recordDir: resolve(env.RECORD_DIR) } : {}),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(secret ? { secret } : {}),
    ...(proxyTo ? { proxyTo } : {}),
    ...(env.SWITCHBOARD_OPERATOR_TOKEN ? { operatorToken: env.SWITCHBOARD_OPERATOR_TOKEN } : {}),
    ...(env.PRESENCE_GRACE_MS ? { presence: { graceMs: count(env, 'PRESENCE_GRACE_MS', 0) } } : {}),
    ...(origins ? { allowedOrigins: origins === '*' ? '*' : origins.split(',').map((o) => o.trim()) } : {}),
    ...(env.ALLOWED_HOSTS === '*' ? { allowedHosts: '*' } : hosts.length > 0 ? { allowedHosts: hosts } : {}),
  }
}

/** A whole number of at least `min` from `env[name]`, 0 when unset; throws naming the variable otherwise. */
function count(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const text = env[name]
  if (text === undefined || text === '') return 0
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}=${text}: expected a whole number${min > 0 ? ` of at least ${min}` : ''}`)
  return value
}

/**
 * The credentials' secret of a Dallinger deployment without SWITCHBOARD_SECRET: derived from its
 * FLASK_SECRET_KEY, as the documented Python route derives it (docs/dallinger.md), so both sides agree
 * and the Flask key itself signs nothing of Switchboard's.
 */
export function dallingerSecret(flaskSecretKey: string): string {
  return createHmac('sha256', flaskSecretKey).update('switchboard-credentials').digest('hex')
}

function targetOf(url: string): string {
  try {
    const target = new URL(url)
    if (target.protocol !== 'http:') throw new Error('http only')
    return target.origin
  } catch {
    throw new Error(`PROXY_TO=${url}: expected the origin of an HTTP server, such as http://127.0.0.1:5001`)
  }
}

function publicHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    throw new Error(`PUBLIC_URL=${url}: expected a URL such as https://exp.example.org`)
  }
}
