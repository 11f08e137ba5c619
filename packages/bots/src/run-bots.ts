import { performance } from 'node:perf_hooks'
import { Bot } from './bot.js'
import type { BotStats } from './bot.js'
import { Ledger } from './ledger.js'
import { buildReport } from './report.js'
import type { BotReport } from './report.js'

/** A bot's script: what one participant does, with the SDK on `bot`'s channels. It should end once `bot.stopped`. */
export type BotScript = (bot: Bot) => Promise<void> | void

/** The run so far, for a progress line. */
export interface Progress {
  bots: number
  joined: number
  channels: number
  elapsedMs: number
  /** Arrivals of keyed messages in the last second. */
  messagesPerSecond: number
  p50Ms: number | undefined
}

export interface RunOptions {
  url: string
  count: number
  script: BotScript
  /** How long the bots run before they are told to stop; the run ends sooner when every script has finished. */
  durationMs: number
  /** The resume extension; off against a stock Dallinger server. @default true */
  resume?: boolean
  /** After the bots stop, how long the run waits for messages still on their way. @default 5000 */
  drainMs?: number
  /** For the bots' think times. @default 1 */
  seed?: number
  /** Called about once a second. */
  onProgress?: (progress: Progress) => void
  /** Called as the run goes, so that a test can do something to it (drop every connection) mid-run. */
  onJoined?: (bots: Bot[]) => void
}

/** Runs `count` bots from `script` against `url` for `durationMs`, and reports what happened. */
export async function runBots(options: RunOptions): Promise<BotReport> {
  const ledger = new Ledger()
  const stats: BotStats = { connected: 0, reconnects: 0, gaps: 0, refusals: {} }
  const random = seeded(options.seed ?? 1)
  const bots: Bot[] = []
  const scripts: Array<Promise<void>> = []
  const scriptErrors: string[] = []
  const started = performance.now()
  let arrivals = ledger.latencies.length
  const progress = setInterval(() => {
    const sorted = ledger.latencies.slice(-200).sort((a, b) => a - b)
    options.onProgress?.({
      bots: options.count,
      joined: bots.length,
      channels: stats.connected,
      elapsedMs: performance.now() - started,
      messagesPerSecond: ledger.latencies.length - arrivals,
      p50Ms: sorted[Math.floor(sorted.length / 2)],
    })
    arrivals = ledger.latencies.length
  }, 1000)
  const stopAt = setTimeout(() => bots.forEach((bot) => bot.stop()), options.durationMs)
  try {
    for (let index = 0; index < options.count && performance.now() - started < options.durationMs; index++) {
      const bot = await Bot.join({ url: options.url, index, ledger, stats, resume: options.resume ?? true, random })
      bots.push(bot)
      // Joined as the time ran out: it stops at once, like the others.
      if (performance.now() - started >= options.durationMs) bot.stop()
      scripts.push(
        Promise.resolve()
          .then(() => options.script(bot))
          .catch((error: unknown) => void scriptErrors.push(`bot ${bot.index}: ${error instanceof Error ? error.message : String(error)}`)),
      )
    }
    options.onJoined?.(bots)
    // Until every script has ended: at the run's time (they stop), or before, when they finish by themselves.
    await Promise.all(scripts)
    // Then what is still on its way gets its time.
    const drainUntil = performance.now() + (options.drainMs ?? 5000)
    while (ledger.tally().lost > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 100))
  } finally {
    clearTimeout(stopAt)
    clearInterval(progress)
    for (const bot of bots) bot.close()
  }
  return buildReport({ url: options.url, mode: options.resume === false ? 'plain' : 'resume', bots: bots.length, durationMs: performance.now() - started, scriptErrors }, ledger, stats)
}

/** A small seeded generator (mulberry32), so that a run's think times can be repeated. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
