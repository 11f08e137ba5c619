import { runCommand, serverOptionsFromEnv } from '@switchboard/server'
import { startDemoServer } from './demo-server.js'

// `npm start` runs this: the demo on PORT (default 5000), in memory unless REDIS_URL is set. It reads
// the same environment as switchboard-server (see ENVIRONMENT in @switchboard/server).
await runCommand(
  'switchboard-demo',
  async () => startDemoServer(await serverOptionsFromEnv()),
  (server) => `Switchboard demo is running. Open ${server.url}/ (script-tag page: ${server.url}/script-tag.html)`,
)
