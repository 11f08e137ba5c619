// The servers a benchmark runs against: raw ws (the reference), the Switchboard server in memory mode,
// and the Switchboard server in Redis mode on a fresh redis-server, on one process or several.
import { startRedis } from '../packages/server/test/redis-server.js'
import { startServer } from './harness.js'
import type { ServerProcess } from './harness.js'

export type Topology = 'raw' | 'memory' | 'redis'

/** The secret the Switchboard servers and the load scripts share (SWITCHBOARD_SECRET). */
export const SECRET = 'bench-secret'

export const TOPOLOGY_LABELS: Record<Topology, string> = {
  raw: 'raw ws broadcast (reference)',
  memory: 'Switchboard, in memory',
  redis: 'Switchboard, Redis, 2 processes',
}

/**
 * Starts `topology` (Redis mode on two server processes), runs `body` with its servers, and stops
 * everything, also when `body` throws. `envOf` adds to the environment of the server process it is given the index of.
 */
export async function withServers<T>(topology: Topology, body: (servers: ServerProcess[]) => Promise<T>, envOf: (index: number) => Record<string, string> = () => ({})): Promise<T> {
  const redis = topology === 'redis' ? await startRedis() : undefined
  const env = { SWITCHBOARD_SECRET: SECRET, ...(redis ? { REDIS_URL: redis.url } : {}) }
  const servers: ServerProcess[] = []
  try {
    const count = redis ? 2 : 1
    for (let i = 0; i < count; i++) servers.push(await startServer(topology === 'raw' ? 'raw' : 'switchboard', { ...env, ...envOf(i) }))
    return await body(servers)
  } finally {
    for (const server of servers) await server.stop()
    await redis?.stop()
  }
}

/** What a load script needs to reach `servers`: their URLs, in order, and the shared secret. */
export function serverEnv(servers: ServerProcess[]): Record<string, string> {
  return { SUBSCRIBE_URLS: servers.map((server) => server.url).join(','), PUBLISH_URL: servers[0]?.url ?? '', SWITCHBOARD_SECRET: SECRET }
}
