import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Balancer } from './balancer.js'
import type { Partition } from './partition.js'
import { startServerProcess } from './processes.js'
import type { ServerProcess, ServerProcessOptions } from './processes.js'
import { startRedis } from './redis.js'
import type { RedisProcess } from './redis.js'
import type { Streams } from './streams.js'
import { newTallyFile } from './tally-file.js'

/**
 * The parts a scenario started (server processes, redis-server, balancer, partitions, stream
 * clients), so that `stop()` ends every one of them whatever happened, and `diagnostics()` gathers
 * their logs when a test failed.
 */
export class Scene {
  readonly servers: ServerProcess[] = []
  readonly redises: RedisProcess[] = []
  readonly #closers: Array<{ name: string; close: () => unknown }> = []
  readonly #files: string[] = []

  async server(options: ServerProcessOptions): Promise<ServerProcess> {
    const server = await startServerProcess(options)
    this.servers.push(server)
    return server
  }

  async redis(options: { persistent: boolean }): Promise<RedisProcess> {
    const redis = await startRedis(options)
    this.redises.push(redis)
    return redis
  }

  /** A fresh TALLY_FILE path, removed with the scene. */
  tallyFile(): string {
    const file = newTallyFile()
    this.#files.push(file)
    return file
  }

  /** Tracks anything else with a `close()`: a balancer, a partition, stream clients. */
  track<T extends Balancer | Partition | Streams>(name: string, part: T): T {
    this.#closers.push({ name, close: () => part.close() })
    return part
  }

  /** Every warn/error log line of every process, and redis-server's last output, for a failed test. */
  diagnostics(): string {
    const lines = this.servers.flatMap((s) => s.problems().slice(-40))
    for (const redis of this.redises) lines.push(`[redis ${redis.port}] ${redis.output().trim().split('\n').slice(-5).join(' | ')}`)
    return lines.join('\n')
  }

  /** The log events every process wrote since `since` (ms), counted as `process:event`, for a row's notes. */
  eventsSince(since: number): string {
    const counts = new Map<string, number>()
    for (const server of this.servers) {
      for (const line of server.logs) {
        if (line.at < since) continue
        const key = `${server.name}:${String(line.entry?.event ?? line.text.slice(0, 60))}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
    return [...counts].map(([key, count]) => `${key}×${count}`).join(' ')
  }

  /** Stops everything, clients first, then processes; never throws. */
  async stop(): Promise<void> {
    for (const { close } of this.#closers.splice(0).reverse()) {
      try {
        await close()
      } catch {
        // Cleanup goes on.
      }
    }
    await Promise.all(this.servers.splice(0).map((s) => s.stop()))
    await Promise.all(this.redises.splice(0).map((r) => r.stop()))
    for (const file of this.#files.splice(0)) rmSync(dirname(file), { recursive: true, force: true })
  }
}
