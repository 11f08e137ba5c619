// One process of several holds a job's lease (presence events, adopting raw publishes); when it dies, another takes over.
import { describe, expect, it } from 'vitest'
import { MemoryState, RedisBackend, silentLog } from '../src/index.js'
import { LeaseHolder } from '../src/state/lease-holder.js'
import { redisSuite } from './redis-suite.js'

const suite = redisSuite()

describe('a lease holder', () => {
  it('is one process of several on Redis, and another once that one stops renewing its lease', async () => {
    await suite.flush()
    const keepers: LeaseHolder[] = []
    for (let n = 0; n < 3; n++) {
      const backend = await RedisBackend.connect(suite.redis.url, silentLog)
      suite.cleanups.push(() => backend.close())
      const keeper = new LeaseHolder(backend, 'test-job', silentLog, 300)
      suite.cleanups.push(() => keeper.stop())
      await keeper.start()
      keepers.push(keeper)
    }
    expect(keepers.map((k) => k.holds)).toEqual([true, false, false])
    // The first stops (a clean shutdown lets the lease go): exactly one other takes it.
    await keepers[0]?.stop()
    await expect.poll(() => keepers.slice(1).filter((k) => k.holds).length, { timeout: 3000 }).toBe(1)
  })

  it('is the one process of a memory state', async () => {
    const keeper = new LeaseHolder(new MemoryState(), 'test-job', silentLog)
    await keeper.start()
    expect(keeper.holds).toBe(true)
    await keeper.stop()
  })
})
