import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packages = fileURLToPath(new URL('../../', import.meta.url))
const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } })

// What a researcher's own project does with the packed packages: install them from tarballs, start
// a server, and talk to it with the client over a real socket.
const SCRIPT = `
import { createClient } from '@switchboard/client'
import { startServer, silentLog } from '@switchboard/server'
import { WebSocket } from 'ws'

const server = await startServer({ log: silentLog })
const { participant, token } = await (await fetch(server.url + '/participant', { method: 'POST' })).json()
const client = createClient({ url: server.url.replace('http', 'ws') + '/chat', WebSocket, identity: { participantId: participant.id }, credential: token })
const broadcast = client.openChannel('broadcast_channel')
const arrived = broadcast.waitFor('hello', undefined, { timeoutMs: 10000 })
await broadcast.ready()
const receipt = broadcast.send({ type: 'hello', text: 'from a packed client' })
const message = await arrived
const browserModule = await (await fetch(server.url + '/static/switchboard.js')).text()
console.log(JSON.stringify({ text: message.text, status: await receipt.settled, bareImports: /from\\s*["'](mitt|reconnecting-websocket)["']/.test(browserModule), moduleBytes: browserModule.length }))
client.close()
await server.close()
`

describe('packed packages', () => {
  it('install from their tarballs into a project outside the workspace, and a script there exchanges a message', () => {
    expect(existsSync(join(packages, 'client/dist/switchboard.js')), 'build the client first (npm test does)').toBe(true)
    run(process.execPath, [join(packages, 'server/node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], join(packages, 'server'))
    const tarballs = mkdtempSync(join(tmpdir(), 'switchboard-pack-'))
    for (const name of ['client', 'server']) run('npx', ['-y', 'pnpm@10.34.9', 'pack', '--pack-destination', tarballs], join(packages, name))
    const files = readdirSync(tarballs).map((file) => join(tarballs, file))
    expect(files).toHaveLength(2)

    const project = mkdtempSync(join(tmpdir(), 'switchboard-project-'))
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-experiment', private: true, type: 'module' }))
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files, 'ws@8.23.0'], project)
    writeFileSync(join(project, 'talk.mjs'), SCRIPT)
    const result = JSON.parse(run(process.execPath, ['talk.mjs'], project).trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
    expect(result).toMatchObject({ text: 'from a packed client', status: 'acknowledged', bareImports: false })
    expect(result.moduleBytes).toBeGreaterThan(10_000)
    // The command is installed too.
    expect(run(join(project, 'node_modules/.bin/switchboard-server'), ['--help'], project)).toContain('Usage: switchboard-server')
  }, 180_000)
})
