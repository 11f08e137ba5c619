import { createLog } from './log.js'
import type { LogLevel } from './log.js'
import { startDemoServer } from './server.js'

// `npm start` runs this: the demo on PORT (default 5000), in memory.
const log = createLog((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info')
const port = Number(process.env.PORT ?? 5000)
const server = await startDemoServer({ port, host: process.env.HOST ?? '127.0.0.1', log })
process.stdout.write(`\nSwitchboard demo is running. Open ${server.url}/ (script-tag page: ${server.url}/script-tag.html)\n\n`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('info', 'server.stopping', { signal })
    void server.close().then(() => process.exit(0))
  })
}
