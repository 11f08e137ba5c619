// One process keeps the session's presence events; when it dies, another takes over.
import { describe, expect, it } from 'vitest'
import { MemoryState, RedisBackend, silentLog } from '../src/index.js'
import { PresenceKeeper } from '../src/resume/presence-keeper.js'
import { redisSuite } from './redis-suite.js'

const suite = redisSuite()

describe('the presence keeper', () => {
  it('is one process of several on Redis, and another once that one stops renewing its lease', async () => {
    await suite.flush()
    const keepers: PresenceKeeper[] = []
    for (let n = 0; n < 3; n++) {
      const backend = await RedisBackend.connect(suite.redis.url, silentLog)
      suite.cleanups.push(() => backend.close())
      const keeper = new PresenceKeeper(backend, silentLog, 300)
      suite.cleanups.push(() => keeper.stop())
      await keeper.start()
      keepers.push(keeper)
    }
    expect(keepers.map((k) => k.keeps)).toEqual([true, false, false])
    // The first dies (no more renewals): within the lease's time, exactly one other keeps them.
    keepers[0]?.stop()
    await expect.poll(() => keepers.slice(1).filter((k) => k.keeps).length, { timeout: 3000 }).toBe(1)
  })

  it('is the one process of a memory state', async () => {
    const keeper = new PresenceKeeper(new MemoryState(), silentLog)
    await keeper.start()
    expect(keeper.keeps).toBe(true)
    keeper.stop()
  })
})
