// The credential route of docs/dallinger.md: its Python, run with python3 (no Dallinger needed), mints
// credentials the server takes, from SWITCHBOARD_SECRET and from FLASK_SECRET_KEY, and only for the
// participant they name.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { serverOptionsFromEnv, silentLog, startServer } from '../src/index.js'
import type { Server } from '../src/index.js'
import { redisSuite } from './redis-suite.js'
import { peer } from './ws-peer.js'

const suite = redisSuite()
const DOC = fileURLToPath(new URL('../../../docs/dallinger.md', import.meta.url))

/** The documented module, exactly as the page shows it: the first Python block of docs/dallinger.md. */
function documentedModule(): string {
  const block = /```python\n(# switchboard_credential\.py\n[\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))?.[1]
  if (!block) throw new Error('docs/dallinger.md has no switchboard_credential.py block')
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-python-'))
  writeFileSync(join(dir, 'switchboard_credential.py'), block)
  return dir
}

/** What the documented Python mints for `participant` and `epochMs`, with `env` as the experiment's environment. */
function mintInPython(participant: string, epochMs: number, env: Record<string, string>): string {
  const dir = documentedModule()
  return execFileSync('python3', ['-c', `from switchboard_credential import switchboard_credential; print(switchboard_credential(${JSON.stringify(participant)}, ${epochMs}))`], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } }).toString().trim()
}

/** Whether `server` lets a socket in for `participant` with `token` (true), or closes it with its code. */
async function admitted(server: Server, participant: string, token: string): Promise<true | number> {
  // With the resume extension, a socket let in is greeted at once (hello); one refused is closed.
  const socket = await peer(server.url, { channel: 'chat', participant_id: participant, token, sb: '1', sb_session: 'credential-check' })
  const verdict = await Promise.race([socket.closed.then(({ code }) => code), socket.received(1, 10_000).then(() => true as const)])
  socket.ws.close()
  return verdict
}

describe('the documented credential route', () => {
  it('mints, from SWITCHBOARD_SECRET, the credential the server takes, for that participant only', async () => {
    const secret = 'a-shared-secret-for-the-test'
    const server = await startServer({ log: silentLog, channelRules: 'dallinger', secret })
    suite.cleanups.push(() => server.close())
    const token = mintInPython('42', server.credentials.epochMs, { SWITCHBOARD_SECRET: secret })
    expect(token).toBe(server.credentials.issue('42'))
    expect(await admitted(server, '42', token)).toBe(true)
    expect(await admitted(server, '43', token)).toBe(4401)
  })

  it('mints, from FLASK_SECRET_KEY alone, what a server in Dallinger mode takes (the epoch read from Redis as the route reads it)', async () => {
    await suite.flush()
    const env = { DALLINGER: '1', REDIS_URL: suite.redis.url, FLASK_SECRET_KEY: 'the-flask-key-of-the-deployment', PORT: '0', LOG_LEVEL: 'error' }
    const server = await startServer({ ...(await serverOptionsFromEnv(env)), log: silentLog })
    suite.cleanups.push(() => server.close())
    // As the route reads it: GET switchboard:epoch on the experiment's Redis.
    const redis = createClient({ url: suite.redis.url })
    await redis.connect()
    const epoch = await redis.get('switchboard:epoch')
    await redis.quit()
    expect(Number(epoch)).toBe(server.credentials.epochMs)
    const token = mintInPython('7', Number(epoch), { FLASK_SECRET_KEY: env.FLASK_SECRET_KEY })
    expect(await admitted(server, '7', token)).toBe(true)
    expect(await admitted(server, '8', token)).toBe(4401)
    // Another deployment's key mints nothing this one takes.
    expect(await admitted(server, '7', mintInPython('7', Number(epoch), { FLASK_SECRET_KEY: 'another-key' }))).toBe(4401)
  })
})
