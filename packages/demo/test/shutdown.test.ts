import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { freePort } from '../../server/test/redis-server.js'
import { newParticipant, peer } from '../../server/test/ws-peer.js'

describe('the demo command', () => {
  it('prints the URL, and on SIGTERM closes sockets with 1001 and exits cleanly', async () => {
    const port = await freePort()
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))
    const child = spawn(tsx, ['src/main.ts'], { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' } })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    await expect.poll(() => out, { timeout: 15_000 }).toContain(`Open http://localhost:${port}/`)

    const url = `http://localhost:${port}`
    const a = await newParticipant(url)
    const socket = await peer(url, a.query('broadcast_channel'))
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(await socket.closed).toMatchObject({ code: 1001 })
    expect(code).toBe(0)
  }, 30_000)
})
