import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { freePort } from './ports.js'

/**
 * A TCP proxy between ONE server process and Redis (that process's REDIS_URL points here), with the
 * two ways a network fails:
 * - `cut(ms)`: every proxied connection is reset and new ones are refused (nothing listens) for `ms`,
 *   then it listens again;
 * - `blackhole(ms)`: nothing is forwarded, in either direction, and nothing is closed, for `ms`; the
 *   bytes are held (a close, too) and then delivered in order.
 * Both resolve once healed.
 */
export interface Partition {
  /** `redis://127.0.0.1:<port>`: give it to the process as REDIS_URL. */
  readonly url: string
  readonly port: number
  readonly state: 'healthy' | 'cut' | 'blackholed'
  /** Connections it proxied, connections it reset, bytes it held in a blackhole. */
  readonly stats: { connections: number; reset: number; heldBytes: number }
  cut(ms: number): Promise<void>
  blackhole(ms: number): Promise<void>
  close(): Promise<void>
}

interface Pair {
  client: Socket
  upstream: Socket
  /** Bytes and closes held while blackholed, each for the other side. */
  held: Array<{ to: Socket; chunk: Buffer | 'close' }>
}

export async function startPartition(redisPort: number): Promise<Partition> {
  const port = await freePort()
  const pairs = new Set<Pair>()
  const stats = { connections: 0, reset: 0, heldBytes: 0 }
  let state: Partition['state'] = 'healthy'

  const server = createServer((client) => {
    stats.connections += 1
    const upstream = createConnection(redisPort, '127.0.0.1')
    const pair: Pair = { client, upstream, held: [] }
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on('data', (chunk: Buffer) => {
        if (state === 'blackholed') {
          stats.heldBytes += chunk.length
          pair.held.push({ to, chunk })
        } else to.write(chunk)
      })
      from.on('error', () => undefined)
      from.once('close', () => (state === 'blackholed' && pairs.has(pair) ? pair.held.push({ to, chunk: 'close' }) : end()))
    }
  })

  const listen = async () => {
    server.listen(port, '127.0.0.1')
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(new Error(`partition proxy cannot listen on ${port} again: ${String(error)}`)))])
  }
  const hold = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
  const quiet = () => {
    if (state !== 'healthy') throw new Error(`a fault is already in force (${state})`)
  }

  await listen()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get state() {
      return state
    },
    stats,
    async cut(ms) {
      quiet()
      state = 'cut'
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const pair of [...pairs]) {
        stats.reset += 1
        pair.client.resetAndDestroy()
        pair.upstream.resetAndDestroy()
        pairs.delete(pair)
      }
      await closed
      // The fault lasts `ms`: this is its duration, not a wait for something to happen.
      await hold(ms)
      await listen()
      state = 'healthy'
    },
    async blackhole(ms) {
      quiet()
      state = 'blackholed'
      await hold(ms)
      state = 'healthy'
      for (const pair of [...pairs]) {
        for (const { to, chunk } of pair.held.splice(0)) {
          if (chunk === 'close') to.end()
          else if (!to.destroyed) to.write(chunk)
        }
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy()
          pair.upstream.destroy()
        }
        pairs.clear()
        if (!server.listening) return resolve()
        server.close(() => resolve())
      }),
  }
}
