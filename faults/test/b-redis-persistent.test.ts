// b. Redis with persistence (AOF, fsync always); two socket-only processes and the experiment's
// process behind one balancer. Mid-stream: SIGKILL of a socket-only process, SIGTERM of the other,
// SIGKILL and SIGTERM of the experiment's process, SIGKILL and SIGTERM of Redis; each is restarted
// on its port. Resume mode must lose nothing silently; plain mode (e.) prints what it loses (the
// SIGKILLs and the socket-only SIGTERM; the SIGTERMs of the experiment's process and of Redis run in
// resume mode only).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startBalancer } from '../harness/balancer.js'
import type { Balancer } from '../harness/balancer.js'
import type { ServerProcess } from '../harness/processes.js'
import type { RedisProcess } from '../harness/redis.js'
import { Scene } from '../harness/scene.js'
import { waitConnected } from '../harness/status.js'
import { streamRun } from '../harness/stream-run.js'
import { TALLY_EXPERIMENT, experimentCoverage } from '../harness/tally-file.js'
import type { ExperimentCoverage } from '../harness/tally-file.js'
import { waitFor } from '../harness/wait.js'
import { expectFreshIds, expectResumeHeld } from './stream-assertions.js'

describe('b. Redis with persistence, 2 socket-only processes + the experiment process behind a balancer', () => {
  const scene = new Scene()
  const seenIds = new Set<string>()
  let redis: RedisProcess
  let socket1: ServerProcess
  let socket2: ServerProcess
  let experiment: ServerProcess
  let balancer: Balancer
  let tallyFile: string

  beforeAll(async () => {
    redis = await scene.redis({ persistent: true })
    tallyFile = scene.tallyFile()
    const common = { redisUrl: redis.url, experiment: TALLY_EXPERIMENT, env: { TALLY_FILE: tallyFile } }
    experiment = await scene.server({ name: 'experiment', ...common })
    socket1 = await scene.server({ name: 'socket-1', ...common, runExperiment: false })
    socket2 = await scene.server({ name: 'socket-2', ...common, runExperiment: false })
    balancer = scene.track('balancer', await startBalancer([socket1.port, socket2.port, experiment.port]))
  })
  afterAll(() => scene.stop())
  // Each run starts from a whole system: every process up and on Redis.
  beforeEach(async () => {
    for (const server of [experiment, socket1, socket2]) await waitConnected(server.url)
  })

  /** Each fault once per mode; `plain: false` ones in resume mode only. */
  const faults: Array<{ name: string; fault: () => Promise<void>; plain?: false }> = [
    { name: 'SIGKILL socket-only', fault: () => socket1.restart('SIGKILL') },
    { name: 'SIGTERM socket-only', fault: () => socket2.restart('SIGTERM') },
    { name: 'SIGKILL experiment process', fault: () => experiment.restart('SIGKILL') },
    { name: 'SIGTERM experiment process', fault: () => experiment.restart('SIGTERM'), plain: false },
    { name: 'SIGKILL redis', fault: () => redis.restart('SIGKILL') },
    { name: 'SIGTERM redis', fault: () => redis.restart('SIGTERM'), plain: false },
  ]

  /** Waits (up to `timeoutMs`) for the experiment's file to hold every number the run's senders sent; then says what it holds. */
  const coverage = async (sentBy: ReadonlyMap<string, number>, timeoutMs: number): Promise<ExperimentCoverage> => {
    await waitFor('the experiment to have every number', () => experimentCoverage(tallyFile, sentBy).missingCount === 0, { timeoutMs }).catch(() => undefined)
    return experimentCoverage(tallyFile, sentBy)
  }
  const describeCoverage = (c: ExperimentCoverage) =>
    `experiment got ${c.sent - c.missingCount}/${c.sent} numbers (${c.lines} lines, ${c.writers} pid(s))${c.missing.length ? `; missing ${c.missing.join('; ')}` : ''}`

  for (const resume of [true, false]) {
    const mode = resume ? 'resume' : 'plain'
    describe(mode, () => {
      for (const { name, fault } of faults.filter((f) => resume || f.plain !== false)) {
        it(`${name}: ${resume ? 'nothing lost without a gap, nothing twice, every receipt settled, the experiment got every number' : 'prints what is lost'}`, async ({ onTestFailed }) => {
          onTestFailed(() => console.log(scene.diagnostics()))
          let seen: ExperimentCoverage | undefined
          const run = await streamRun(scene, `b ${name}`, { urls: [balancer.url], participants: 4, messages: 40, intervalMs: 100, resume }, fault, {
            notes: async (result) => {
              // Plain mode only prints what the experiment got: a short wait for stragglers is enough.
              seen = await coverage(result.sentBy, resume ? 8000 : 2000)
              const routed = [socket1, socket2, experiment].map((p) => `${p.name} ${balancer.routed.get(p.port) ?? 0}`).join(', ')
              return [describeCoverage(seen), `balancer connections so far: ${routed}`]
            },
          })
          if (resume) {
            expectResumeHeld(run, seenIds)
            expect.soft(seen?.missing, 'numbers the experiment never got').toEqual([])
            expect.soft(seen?.misattributed, 'experiment lines attributed to another participant').toBe(0)
          } else {
            expectFreshIds(run, seenIds)
            expect.soft(run.tally.receipts.unsettled, 'receipts never settled').toBe(0)
          }
        })
      }
    })
  }
})
