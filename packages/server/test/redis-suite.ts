import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startRedis } from './redis-server.js'
import type { RedisServer } from './redis-server.js'

/**
 * A redis-server for the test file that calls this (started before its tests, stopped after them),
 * and cleanups that run after each test, last added first.
 */
export function redisSuite() {
  let redis: RedisServer | undefined
  const cleanups: Array<() => unknown> = []
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  const current = (): RedisServer => {
    if (!redis) throw new Error('redis-server is not started yet (use it inside a test)')
    return redis
  }
  return {
    get redis() {
      return current()
    },
    cleanups,
    /** Empties the Redis, so a test starts from nothing. */
    async flush(): Promise<void> {
      const client = createClient({ url: current().url })
      await client.connect()
      await client.flushAll()
      await client.quit()
    },
  }
}
