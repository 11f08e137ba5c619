import type { BotStats } from './bot.js'
import type { Ledger } from './ledger.js'

/** What a run of bots did: messages, losses, latency, connection events. Also as JSON (`--json`). */
export interface BotReport {
  url: string
  mode: 'resume' | 'plain'
  bots: number
  /** Channels the bots opened (each counted once, however often it reconnected). */
  connected: number
  durationMs: number
  /** Keyed messages the bots sent (a failed send is not counted). */
  sent: number
  /** Deliveries owed: each keyed message, to every bot that had its channel open when it was sent. */
  expected: number
  delivered: number
  lost: number
  duplicated: number
  gaps: number
  reconnects: number
  refusals: Record<string, number>
  latencyMs: { p50: number; p99: number; max: number } | null
  scriptErrors: string[]
  notes: string[]
}

export function buildReport(fields: { url: string; mode: 'resume' | 'plain'; bots: number; durationMs: number; scriptErrors: string[] }, ledger: Ledger, stats: BotStats): BotReport {
  const { expected, delivered, lost, duplicated } = ledger.tally()
  const sorted = [...ledger.latencies].sort((a, b) => a - b)
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
  const notes = fields.mode === 'plain' ? ['plain mode: the server acknowledges nothing and replays nothing; what a dropped connection carried is lost, and only this report can tell'] : []
  return {
    ...fields,
    connected: stats.connected,
    sent: ledger.sent.size,
    expected,
    delivered,
    lost,
    duplicated,
    gaps: stats.gaps,
    reconnects: stats.reconnects,
    refusals: { ...stats.refusals },
    latencyMs: sorted.length > 0 ? { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? 0) } : null,
    notes,
  }
}

/** The report as a few lines of text. */
export function formatReport(report: BotReport): string {
  const latency = report.latencyMs ? `p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms` : 'none measured'
  const refusals = Object.entries(report.refusals)
  return [
    `bots: ${report.bots} against ${report.url} (${report.mode} mode) for ${(report.durationMs / 1000).toFixed(1)} s; ${report.connected} channels opened`,
    `messages: ${report.sent} sent, ${report.delivered} of ${report.expected} deliveries made, ${report.lost} lost, ${report.duplicated} duplicated, ${report.gaps} gaps reported`,
    `latency (send to arrival): ${latency}`,
    `connections: ${report.reconnects} reconnects; refusals: ${refusals.length > 0 ? refusals.map(([code, n]) => `${code}×${n}`).join(' ') : 'none'}`,
    ...report.scriptErrors.map((error) => `script error: ${error}`),
    ...report.notes,
  ].join('\n')
}

const round = (ms: number) => Math.round(ms * 10) / 10
