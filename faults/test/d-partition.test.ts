// d. One process cut off from Redis while the other runs on: a 2 s cut (connections reset, new ones
// refused) and a 2 s blackhole (nothing forwarded, nothing closed) between process A and Redis;
// half of the participants are on A, half on B. Resume mode must lose nothing silently; plain mode
// (e.) prints what it loses.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startPartition } from '../harness/partition.js'
import type { Partition } from '../harness/partition.js'
import type { ServerProcess } from '../harness/processes.js'
import { Scene } from '../harness/scene.js'
import { waitConnected } from '../harness/status.js'
import { streamRun } from '../harness/stream-run.js'
import { TALLY_EXPERIMENT, experimentCoverage } from '../harness/tally-file.js'
import { expectFreshIds, expectResumeHeld } from './stream-assertions.js'

const FAULT_MS = 2000

describe('d. one process cut off from Redis, the other running on', () => {
  const scene = new Scene()
  const seenIds = new Set<string>()
  let partition: Partition
  let cutOff: ServerProcess
  let other: ServerProcess
  let tallyFile: string

  beforeAll(async () => {
    const redis = await scene.redis({ persistent: false })
    partition = scene.track('partition', await startPartition(redis.port))
    tallyFile = scene.tallyFile()
    const common = { experiment: TALLY_EXPERIMENT, env: { TALLY_FILE: tallyFile } }
    cutOff = await scene.server({ name: 'A(cut off)', ...common, redisUrl: partition.url, runExperiment: false })
    other = await scene.server({ name: 'B', ...common, redisUrl: redis.url })
  })
  afterAll(() => scene.stop())
  beforeEach(async () => {
    for (const server of [cutOff, other]) await waitConnected(server.url)
  })

  const faults: Array<[string, () => Promise<void>]> = [
    [`${FAULT_MS / 1000}s cut`, () => partition.cut(FAULT_MS)],
    [`${FAULT_MS / 1000}s blackhole`, () => partition.blackhole(FAULT_MS)],
  ]

  for (const resume of [true, false]) {
    const mode = resume ? 'resume' : 'plain'
    describe(mode, () => {
      for (const [name, fault] of faults) {
        it(`${name}: ${resume ? 'nothing lost without a gap, nothing twice, every receipt settled' : 'prints what is lost'}`, async ({ onTestFailed }) => {
          onTestFailed(() => console.log(scene.diagnostics()))
          const run = await streamRun(scene, `d ${name}`, { urls: [cutOff.url, other.url], participants: 4, messages: 40, intervalMs: 100, resume }, fault, {
            notes: (result) => {
              const c = experimentCoverage(tallyFile, result.sentBy)
              return [`experiment (on B) got ${c.sent - c.missingCount}/${c.sent} numbers; partition reset ${partition.stats.reset} connection(s), held ${partition.stats.heldBytes} bytes so far`]
            },
          })
          if (resume) expectResumeHeld(run, seenIds)
          else {
            expectFreshIds(run, seenIds)
            expect.soft(run.tally.receipts.unsettled, 'receipts never settled').toBe(0)
          }
        })
      }
    })
  }
})
