// The demo piloted by bots: the switchboard-bots command with the demo's bot script against the demo
// server, and a run during which every connection drops. In resume mode nothing may be lost or doubled.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runBots } from '@switchboard/bots'
import type { BotReport } from '@switchboard/bots'
import { silentLog } from '@switchboard/server'
import { afterEach, describe, expect, it } from 'vitest'
import chat from '../bots/chat.js'
import { startDemoServer } from '../src/index.js'
import type { DemoServer } from '../src/index.js'

const servers: DemoServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

const expectClean = (report: BotReport) => {
  expect(report.scriptErrors).toEqual([])
  expect(report.sent).toBeGreaterThan(20)
  expect(report.expected).toBeGreaterThan(report.sent)
  expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: 0, duplicated: 0 })
  expect(report.delivered).toBe(report.expected)
  expect(report.latencyMs?.p50).toBeGreaterThan(0)
}

describe('bots piloting the demo', () => {
  it('the command runs 10 bots for 10 s and reports, as text and as JSON, that nothing was lost or doubled', async () => {
    const server = await startDemoServer({ log: silentLog })
    servers.push(server)
    const json = join(mkdtempSync(join(tmpdir(), 'bots-')), 'report.json')
    const bin = fileURLToPath(new URL('../../bots/bin/switchboard-bots.js', import.meta.url))
    const script = fileURLToPath(new URL('../bots/chat.ts', import.meta.url))
    const child = spawn(process.execPath, [bin, '--url', server.url, '--count', '10', '--script', script, '--duration', '10s', '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number]
    console.log(out.trim())
    expect(code).toBe(0)
    expect(out).toMatch(/messages: \d+ sent, (\d+) of \1 deliveries made, 0 lost, 0 duplicated/)
    const report = JSON.parse(readFileSync(json, 'utf8')) as BotReport
    expect(report).toMatchObject({ bots: 10, mode: 'resume' })
    expectClean(report)
  }, 40_000)

  it('loses nothing while every connection drops mid-run', async () => {
    const server = await startDemoServer({ log: silentLog })
    servers.push(server)
    const report = await runBots({ url: server.url, count: 10, script: chat, durationMs: 8000, onJoined: () => setTimeout(() => server.dropConnections(), 2000) })
    console.log(`bots, every connection dropped once: ${JSON.stringify({ sent: report.sent, expected: report.expected, lost: report.lost, duplicated: report.duplicated, reconnects: report.reconnects, latencyMs: report.latencyMs })}`)
    expect(report.reconnects).toBeGreaterThanOrEqual(10)
    expectClean(report)
  }, 40_000)
})
