import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { freePort } from './redis-server.js'
import { newParticipant, peer } from './ws-peer.js'

const BIN = fileURLToPath(new URL('../bin/switchboard-server.js', import.meta.url))

/** `switchboard-server` as a user runs it, in a process of its own, with `env` added to this one's. */
function command(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } })
  const output = { out: '', err: '' }
  child.stdout.on('data', (chunk: Buffer) => (output.out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output.err += chunk.toString()))
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  return { child, output, exited }
}

describe('switchboard-server', () => {
  it('starts with no experiment, serves /chat, and on SIGTERM closes sockets with 1001 and exits 0', async () => {
    const port = await freePort()
    const { child, output, exited } = command({ PORT: String(port) })
    const url = `http://localhost:${port}`
    await expect.poll(() => output.out, { timeout: 20_000 }).toContain(`Switchboard server is running on ${url}`)
    expect(output.out).toContain('channel preset standard')

    const index = await fetch(`${url}/`)
    expect(await index.text()).toContain('/chat')
    expect(((await (await fetch(`${url}/status`)).json()) as { experiment: boolean }).experiment).toBe(false)
    const a = await newParticipant(url)
    const listener = await peer(url, a.query('broadcast_channel'))
    const sender = await peer(url, a.query(`participant_${a.id}_channel`))
    sender.send('broadcast_channel:{"hello":"world"}')
    await listener.receivedFrame('broadcast_channel:{"hello":"world"}')

    child.kill('SIGTERM')
    const [code] = await exited
    expect(await listener.closed).toMatchObject({ code: 1001 })
    expect(code).toBe(0)
  }, 30_000)

  it('honours a rules file: its channels open, all others are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'))
    const rules = join(dir, 'rules.json')
    writeFileSync(rules, JSON.stringify({ channels: [{ channel: 'table_{id}', subscribe: 'owner', publish: 'everyone' }] }))
    const port = await freePort()
    const { child, output, exited } = command({}, ['--port', String(port), '--channel-rules', rules])
    const url = `http://localhost:${port}`
    await expect.poll(() => output.out, { timeout: 20_000 }).toContain('is running')
    expect(output.out).toContain('table_{id}')
    const a = await newParticipant(url)
    const b = await newParticipant(url)
    const own = await peer(url, a.query(`table_${a.id}`))
    expect(await (await peer(url, b.query(`table_${a.id}`))).closed).toMatchObject({ code: 4403 })
    expect(await (await peer(url, a.query('broadcast_channel'))).closed).toMatchObject({ code: 4404, reason: 'no channel broadcast_channel' })
    const writer = await peer(url, { ...b.query(`table_${b.id}`) })
    writer.send(`table_${a.id}:{"from":"b"}`)
    await own.receivedFrame(`table_${a.id}:{"from":"b"}`)
    child.kill('SIGTERM')
    expect((await exited)[0]).toBe(0)
  }, 30_000)

  it('does not start with a malformed rules file, and says which entry is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'))
    const rules = join(dir, 'rules.json')
    writeFileSync(rules, JSON.stringify({ channels: [{ channel: 'lobby', subscribe: 'everyone', publish: 'everyone' }, { channel: 'seat_*', subscribe: 'owner', publish: 'owner' }] }))
    const { output, exited } = command({ PORT: String(await freePort()), CHANNEL_RULES: rules })
    const [code] = await exited
    expect(code).toBe(1)
    expect(output.err).toContain(`switchboard-server: channel rules ${rules}: entry 1 ({"channel":"seat_*","subscribe":"owner","publish":"owner"}): "owner" needs a pattern with {id}`)
    expect(output.out).not.toContain('is running')
  }, 30_000)

  it('runs the experiment module given with --experiment: it hears its channel and answers privately', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'experiment-'))
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(
      join(dir, 'echo.ts'),
      `interface Api { publishToSubscribers(payload: object, channel?: string): void; participants(): string[] }
export default class Echo {
  readonly channel = 'experiment_channel'
  private api: Api | undefined
  start(api: Api): void { this.api = api }
  receiveMessage(message: Record<string, unknown>, context: { channel: string; participantId: string | null }): void {
    if (context.channel !== this.channel || context.participantId === null) return
    this.api?.publishToSubscribers({ echo: message.text, connected: this.api.participants() }, \`participant_\${context.participantId}_channel\`)
  }
}
`,
    )
    const port = await freePort()
    const { child, output, exited } = command({ PORT: String(port) }, ['--experiment', join(dir, 'echo.ts')])
    const url = `http://localhost:${port}`
    await expect.poll(() => output.out, { timeout: 20_000 }).toContain('is running')
    expect(((await (await fetch(`${url}/status`)).json()) as { experiment: boolean }).experiment).toBe(true)
    const a = await newParticipant(url)
    const inbox = await peer(url, a.query(`participant_${a.id}_channel`))
    await expect.poll(() => {
      inbox.send(`experiment_channel:{"text":"hi","sender":"${a.id}"}`)
      return inbox.frames.length > 0
    }, { interval: 200 }).toBe(true)
    expect(inbox.frames[0]).toBe(`participant_${a.id}_channel:{"echo":"hi","connected":["${a.id}"]}`)
    child.kill('SIGTERM')
    expect((await exited)[0]).toBe(0)

    const cjs = mkdtempSync(join(tmpdir(), 'experiment-'))
    writeFileSync(join(cjs, 'echo.ts'), 'export default { channel: "x", receiveMessage() {} }\n')
    const notModule = command({ PORT: String(await freePort()), EXPERIMENT: join(cjs, 'echo.ts') })
    expect((await notModule.exited)[0]).toBe(1)
    expect(notModule.output.err).toContain('an ES module is needed')

    writeFileSync(join(dir, 'nothing.ts'), 'export default 42\n')
    const bad = command({ PORT: String(await freePort()), EXPERIMENT: join(dir, 'nothing.ts') })
    expect((await bad.exited)[0]).toBe(1)
    expect(bad.output.err).toContain(`experiment ${join(dir, 'nothing.ts')}: its default export must be an Experiment`)
  }, 30_000)

  it('prints its options with --help, and refuses an unknown one', async () => {
    const help = command({}, ['--help'])
    expect((await help.exited)[0]).toBe(0)
    expect(help.output.out).toMatch(/--channel-rules +CHANNEL_RULES/)
    const wrong = command({}, ['--prot', '5000'])
    expect((await wrong.exited)[0]).toBe(2)
    expect(wrong.output.err).toContain("Unknown option '--prot'")
  }, 30_000)
})
