// c. Redis without persistence: SIGKILL mid-stream and a restart, empty. The processes stay up, but
// everything they shared is gone: old clients must end refused with 4410 (final), newcomers must get
// ids never used before, and no id may be given out twice.
import { afterAll, describe, it } from 'vitest'
import { startBalancer } from '../harness/balancer.js'
import { acrossForgottenState } from '../harness/forgotten-state.js'
import { Scene } from '../harness/scene.js'
import { waitConnected } from '../harness/status.js'
import { TALLY_EXPERIMENT } from '../harness/tally-file.js'
import { expectForgottenStateHandled } from './forgotten-assertions.js'

describe('c. Redis without persistence: SIGKILL and restart', () => {
  const scene = new Scene()
  afterAll(() => scene.stop())

  it('refuses old clients with 4410, gives newcomers ids never used before, and lets no old token open a private channel', async ({ onTestFailed }) => {
    onTestFailed(() => console.log(scene.diagnostics()))
    const redis = await scene.redis({ persistent: false })
    const common = { redisUrl: redis.url, experiment: TALLY_EXPERIMENT, env: { TALLY_FILE: scene.tallyFile() } }
    const experiment = await scene.server({ name: 'experiment', ...common })
    const socket = await scene.server({ name: 'socket-1', ...common, runExperiment: false })
    const balancer = scene.track('balancer', await startBalancer([socket.port, experiment.port]))
    const config = { urls: [balancer.url], participants: 4, messages: 30, intervalMs: 100, resume: true }
    const seen = await acrossForgottenState(scene, 'c volatile redis SIGKILL+restart', config, balancer.url, async () => {
      await redis.restart('SIGKILL')
      // The fault is over once both processes are back on the (empty) Redis.
      for (const server of [experiment, socket]) await waitConnected(server.url)
    })
    expectForgottenStateHandled(seen)
  })
})
