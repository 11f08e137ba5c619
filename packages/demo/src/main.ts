import { createLog } from './log.js'
import type { LogLevel } from './log.js'
import { RedisBackend } from './redis-backend.js'
import { startDemoServer } from './server.js'

// `npm start` runs this: the demo on PORT (default 5000), in memory. Environment:
//   REDIS_URL=redis://host:port  share broker and state with other processes through Redis
//   RUN_EXPERIMENT=0             serve sockets only; another process runs the experiment
//   ALLOW_ANONYMOUS=1            let stock Dallinger pages in without credentials (see README)
//   ALLOWED_ORIGINS=a,b | *      page origins allowed besides the server's own
//   LOG_LEVEL=debug|info|warn|error, HOST (default 127.0.0.1)
const env = process.env
const log = createLog((env.LOG_LEVEL as LogLevel | undefined) ?? 'info')
const redis = env.REDIS_URL ? await RedisBackend.connect(env.REDIS_URL, log) : undefined
const origins = env.ALLOWED_ORIGINS
const server = await startDemoServer({
  port: Number(env.PORT ?? 5000),
  host: env.HOST ?? '127.0.0.1',
  log,
  ...(redis ? { broker: redis, state: redis } : {}),
  runExperiment: env.RUN_EXPERIMENT !== '0',
  allowAnonymous: env.ALLOW_ANONYMOUS === '1',
  ...(origins ? { allowedOrigins: origins === '*' ? '*' : origins.split(',').map((o) => o.trim()) } : {}),
})
process.stdout.write(`\nSwitchboard demo is running. Open ${server.url}/ (script-tag page: ${server.url}/script-tag.html)\n\n`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('info', 'server.stopping', { signal })
    void server.close().then(() => process.exit(0))
  })
}
