import { report } from './report.js'
import type { StreamResult } from './records.js'
import type { Scene } from './scene.js'
import { Streams } from './streams.js'
import type { StreamConfig } from './streams.js'
import { tally } from './tally.js'
import type { Tally } from './tally.js'

export interface StreamRunOptions {
  /** Where in the stream the fault starts. @default 1/3 */
  faultAt?: number
  /** Leave the clients open afterwards (the test looks at them); the scene closes them at the end. */
  keepOpen?: boolean
  /** More lines under the row, computed once the run is over (and awaited before the row is printed). */
  notes?: (result: StreamResult) => string[] | Promise<string[]>
  drain?: { timeoutMs?: number; quietMs?: number }
}

export interface StreamRun {
  /** When the fault was injected, and when it was over (healed, restarted), in ms since the epoch. */
  fault: { startedAt: number; endedAt: number }
  streams: Streams
  result: StreamResult
  tally: Tally
}

/**
 * One scenario run: opens the streams, starts them, injects `fault` once they are `faultAt` through
 * (it resolves once healed or restarted), lets the streams finish, waits for receipts and deliveries
 * (bounded), then tallies, prints and records the row.
 */
export async function streamRun(scene: Scene, scenario: string, config: StreamConfig, fault: (streams: Streams) => Promise<void>, options: StreamRunOptions = {}): Promise<StreamRun> {
  const started = Date.now()
  const streams = scene.track(`streams ${scenario}`, await Streams.open(config))
  const running = streams.run()
  // If the fault fails first, the senders' own deadline must not surface later as an unhandled rejection.
  running.catch(() => undefined)
  await streams.reached(options.faultAt ?? 1 / 3)
  const startedAt = Date.now()
  await fault(streams)
  const endedAt = Date.now()
  await running
  // Resume mode waits out the heartbeat's timeout (6 s) before it calls a quiet channel done; plain mode need not.
  await streams.drain(options.drain ?? { quietMs: config.resume ? 8000 : 2000 })
  const result = streams.result()
  if (!options.keepOpen) streams.close()
  const figures = tally(result)
  const notes = (await options.notes?.(result)) ?? []
  const events = scene.eventsSince(started)
  report(scenario, figures, Date.now() - started, [...notes, ...(events ? [`server log: ${events}`] : [])])
  return { fault: { startedAt, endedAt }, streams, result, tally: figures }
}
