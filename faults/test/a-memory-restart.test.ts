// a. Memory mode, one process, no Redis: SIGKILL mid-stream and a restart on the same port. The
// restarted process knows none of the participants, so their clients must be refused (4410, final),
// newcomers must get ids never given out before, and no old credential may open a private channel.
import { afterAll, describe, it } from 'vitest'
import { acrossForgottenState } from '../harness/forgotten-state.js'
import { Scene } from '../harness/scene.js'
import { TALLY_EXPERIMENT } from '../harness/tally-file.js'
import { expectForgottenStateHandled } from './forgotten-assertions.js'

describe('a. memory mode: SIGKILL and restart', () => {
  const scene = new Scene()
  afterAll(() => scene.stop())

  it('refuses old clients with 4410, gives newcomers new ids, and lets no old token open a private channel', async ({ onTestFailed }) => {
    onTestFailed(() => console.log(scene.diagnostics()))
    const server = await scene.server({ name: 'memory', experiment: TALLY_EXPERIMENT, env: { TALLY_FILE: scene.tallyFile() } })
    const config = { urls: [server.url], participants: 4, messages: 30, intervalMs: 100, resume: true }
    const seen = await acrossForgottenState(scene, 'a memory SIGKILL+restart', config, server.url, () => server.restart('SIGKILL'))
    expectForgottenStateHandled(seen)
  })
})
