import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCommand, serverOptionsFromEnv } from '@switchboard/server'
import { startDemoServer } from './demo-server.js'

// `npm start` runs this: the demo on PORT (default 5000), in memory unless REDIS_URL is set. It reads
// the same environment as switchboard-server (see ENVIRONMENT in @switchboard/server). So that the
// dashboard and the record work out of the box, the demo keeps its record in a new temporary folder
// and makes an operator token, unless RECORD_DIR or DATABASE_URL and SWITCHBOARD_OPERATOR_TOKEN say otherwise.
const env = { ...process.env }
if (!env.RECORD_DIR && !env.DATABASE_URL) env.RECORD_DIR = mkdtempSync(join(tmpdir(), 'switchboard-demo-record-'))
// A token of the operator's own is never printed (it could end up in a log); one made here is, to be used.
const made = env.SWITCHBOARD_OPERATOR_TOKEN ? undefined : randomBytes(16).toString('hex')
if (made) env.SWITCHBOARD_OPERATOR_TOKEN = made
const token = made ?? '$SWITCHBOARD_OPERATOR_TOKEN'

await runCommand(
  'switchboard-demo',
  async () => startDemoServer(await serverOptionsFromEnv(env)),
  (server) =>
    [
      `Switchboard demo is running. Open ${server.url}/ (script-tag page: ${server.url}/script-tag.html)`,
      made ? `Dashboard: ${server.url}/dashboard?token=${made}` : `Dashboard: ${server.url}/dashboard (with SWITCHBOARD_OPERATOR_TOKEN)`,
      `Record (${env.DATABASE_URL ? 'PostgreSQL' : env.RECORD_DIR}): curl -H "Authorization: Bearer ${token}" '${server.url}/export?format=csv'`,
    ].join('\n'),
)
