// 2. Server fan-out: one channel, 500 subscribers in a separate load process, 2,000 messages; Switchboard
// server against a raw ws broadcast server (the ceiling), then Switchboard in Redis mode on two processes.
import { startRedis } from '../packages/server/test/redis-server.js'
import { fmt, runLoad, startServer } from './harness.js'
import type { ServerProcess } from './harness.js'

export interface FanoutRun {
  delivered: number
  expected: number
  seconds: number
  perSecond: number
  p50: number
  p99: number
}

export interface FanoutResult {
  raw: FanoutRun
  switchboard: FanoutRun
  redis: FanoutRun
}

const SECRET = 'bench-secret'

async function measure(label: string, servers: ServerProcess[]): Promise<FanoutRun> {
  const run = await runLoad<FanoutRun>('./fanout-load.ts', {
    SUBSCRIBE_URLS: servers.map((s) => s.url).join(','),
    PUBLISH_URL: servers[0]?.url ?? '',
    SWITCHBOARD_SECRET: SECRET,
  })
  console.log(`fan-out ${label}: ${fmt(run.perSecond)} deliveries/s, p50 ${fmt(run.p50, 1)} ms, p99 ${fmt(run.p99, 1)} ms (${fmt(run.delivered)} of ${fmt(run.expected)})`)
  return run
}

export async function benchFanout(): Promise<FanoutResult> {
  const raw = await startServer('raw')
  const rawRun = await measure('raw ws (ceiling)', [raw])
  await raw.stop()

  const switchboard = await startServer('switchboard', { SWITCHBOARD_SECRET: SECRET })
  const switchboardRun = await measure('Switchboard server, in memory', [switchboard])
  await switchboard.stop()

  const redis = await startRedis()
  const env = { SWITCHBOARD_SECRET: SECRET, REDIS_URL: redis.url }
  const two = [await startServer('switchboard', env), await startServer('switchboard', env)]
  const redisRun = await measure('Switchboard server, Redis, 2 processes', two)
  for (const server of two) await server.stop()
  await redis.stop()

  console.log(`fan-out ratio to raw: in memory ${fmt(switchboardRun.perSecond / rawRun.perSecond, 2)}×, Redis ${fmt(redisRun.perSecond / rawRun.perSecond, 2)}×`)
  return { raw: rawRun, switchboard: switchboardRun, redis: redisRun }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchFanout()
