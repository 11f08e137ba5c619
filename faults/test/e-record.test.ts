// e. The session's record across kill -9, in each store (PostgreSQL, and the embedded files in one
// folder shared by the processes): the experiment's process and two socket-only processes on a
// persistent Redis behind a balancer, numbered streams in resume mode; mid-stream, one socket-only
// process is killed with SIGKILL and never comes back, another is killed and restarted. Afterwards the
// record, read from the process that lives, holds every acknowledged message exactly once, with the
// participant whose socket sent it, in id order: what the killed processes had not yet written is
// recovered from Redis's history.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareMessageIds } from '@switchboard/client'
import type { RecordRow } from '@switchboard/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres } from '../../packages/server/test/postgres-server.js'
import type { PostgresServer } from '../../packages/server/test/postgres-server.js'
import { startBalancer } from '../harness/balancer.js'
import { Scene } from '../harness/scene.js'
import { streamRun } from '../harness/stream-run.js'
import { TALLY_EXPERIMENT } from '../harness/tally-file.js'
import { expectResumeHeld } from './stream-assertions.js'

const OPERATOR = 'faults-suite-operator-token'

describe('e. the record across kill -9', () => {
  let postgres: PostgresServer
  const folders: string[] = []
  const seenIds = new Set<string>()
  beforeAll(async () => {
    postgres = await startPostgres()
  })
  afterAll(async () => {
    await postgres.stop()
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
  })

  const stores = [
    { name: 'PostgreSQL', env: (): Record<string, string> => ({ DATABASE_URL: postgres.url }) },
    {
      name: 'embedded files',
      env: (): Record<string, string> => {
        const folder = mkdtempSync(join(tmpdir(), 'switchboard-record-'))
        folders.push(folder)
        return { RECORD_DIR: folder }
      },
    },
  ]

  it.for(stores)('in $name: every acknowledged message once, with its sender, in id order, after SIGKILLs', async ({ name, env }, { onTestFailed }) => {
    const scene = new Scene()
    onTestFailed(() => console.log(scene.diagnostics()))
    try {
      const redis = await scene.redis({ persistent: true })
      const common = { redisUrl: redis.url, experiment: TALLY_EXPERIMENT, env: { TALLY_FILE: scene.tallyFile(), SWITCHBOARD_OPERATOR_TOKEN: OPERATOR, ...env() } }
      const experiment = await scene.server({ name: 'experiment', ...common })
      const killed = await scene.server({ name: 'socket-killed', ...common, runExperiment: false })
      const restarted = await scene.server({ name: 'socket-restarted', ...common, runExperiment: false })
      const balancer = scene.track('balancer', await startBalancer([killed.port, restarted.port, experiment.port]))
      const config = { urls: [balancer.url], participants: 6, messages: 40, intervalMs: 50, resume: true }
      const run = await streamRun(scene, `e record in ${name}: SIGKILL socket-only ×2`, config, async () => {
        await killed.kill('SIGKILL')
        await restarted.restart('SIGKILL')
      }, { notes: async () => Promise.all([experiment, restarted].map(async (server) => `record of ${server.name}: ${JSON.stringify((await status(server.url)).record)}`)) })
      expectResumeHeld(run, seenIds)

      const response = await fetch(`${experiment.url}/export`, { headers: { authorization: `Bearer ${OPERATOR}` } })
      expect(response.status).toBe(200)
      const rows = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as RecordRow)
      const ours = rows.flatMap((row) => {
        if (row.kind !== 'message' || !(row.payload ?? '').includes(run.streams.runId)) return []
        const { from, n } = JSON.parse(row.payload ?? '{}') as { from: string; n: number }
        return [{ ...row, from, n }]
      })
      // Every acknowledged send is in the record once, on its channel, from the participant that sent it.
      const acknowledged = run.result.sends.filter((send) => send.settled === 'acknowledged')
      expect(acknowledged.length).toBe(run.result.sends.length)
      const key = (channel: string, from: string, n: number) => `${channel} ${from} ${n}`
      const recorded = ours.map((row) => key(row.channel, row.from, row.n))
      expect(recorded.filter((k, i) => recorded.indexOf(k) !== i), 'messages recorded twice').toEqual([])
      expect([...recorded].sort()).toEqual(acknowledged.map((send) => key(send.target, send.from, send.n)).sort())
      expect(ours.filter((row) => row.participant !== row.from), 'rows whose participant is not the sender').toEqual([])
      for (const channel of new Set(ours.map((row) => row.channel))) {
        const ids = ours.filter((row) => row.channel === channel).map((row) => row.id ?? '')
        expect(ids, `${channel} in id order`).toEqual([...ids].sort(compareMessageIds))
      }
    } finally {
      await scene.stop()
    }
  })
})

async function status(url: string): Promise<{ record: unknown }> {
  return (await (await fetch(`${url}/status`)).json()) as { record: unknown }
}
