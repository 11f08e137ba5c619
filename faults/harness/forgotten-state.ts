import { foreignWhispers, messageFrames, oldChannelEnds, probeOldTokens } from './identity.js'
import type { OldChannelEnd } from './identity.js'
import type { ProbeOutcome } from './probe.js'
import { note } from './report.js'
import type { Scene } from './scene.js'
import { streamRun } from './stream-run.js'
import type { StreamRun } from './stream-run.js'
import type { StreamConfig } from './streams.js'

/** What a run across a loss of the server's state (a memory-mode restart, a Redis without persistence) showed. */
export interface ForgottenState {
  /** The streams that ran across the fault, and the newcomers' run after it. */
  old: StreamRun
  newcomers: StreamRun
  /** How each old channel ended. */
  ends: OldChannelEnd[]
  oldIds: string[]
  newIds: string[]
  /** Each old credential's try at its own private channel after the fault. */
  probes: Array<{ id: string } & ProbeOutcome>
  /** Whispers to newcomers that reached an old participant's private channel. */
  leaks: string[]
}

/**
 * Streams across `fault` (which makes the server forget everything), then newcomers stream among
 * themselves, then every old credential tries its own private channel again, asking for the whole
 * history. Prints what it saw; the test asserts on it.
 */
export async function acrossForgottenState(scene: Scene, scenario: string, config: StreamConfig, probeUrl: string, fault: () => Promise<void>): Promise<ForgottenState> {
  const old = await streamRun(scene, scenario, config, fault, { keepOpen: true })
  const ends = await oldChannelEnds(old.streams)
  const newcomers = await streamRun(scene, `${scenario.split(' ')[0]} newcomers after it`, { ...config, messages: 10, intervalMs: 50 }, async () => undefined, { keepOpen: true })
  const oldIds = old.streams.participants.map((p) => p.id)
  const newIds = newcomers.streams.participants.map((p) => p.id)
  const probes = await probeOldTokens(probeUrl, old.streams.participants)
  const leaks = foreignWhispers(old.streams)
  const reused = newIds.filter((id) => oldIds.includes(id))
  note(`old ids ${oldIds.join(',')}; newcomer ids ${newIds.join(',')}; reused: ${reused.length === 0 ? 'none' : reused.join(',')}`)
  const after = ends.flatMap((e) => (e.closedAt === undefined ? [] : [e.closedAt - old.fault.endedAt]))
  const when = after.length > 0 ? `, closed ${Math.min(...after)}..${Math.max(...after)} ms after the fault was over` : ''
  note(`old channels ended: ${summarise(ends.map((e) => e.closed ?? `still ${e.state}`))}${when}`)
  const newcomersRun = `"run":"${newcomers.streams.runId}"`
  const outcome = (p: ProbeOutcome) => {
    const read = messageFrames(p.frames)
    const theirs = read.filter((frame) => frame.includes(newcomersRun)).length
    return `${p.close ? `closed ${p.close.code}` : 'kept open'}${read.length ? ` after reading ${read.length} messages (${theirs} of them newcomers' whispers)` : ''}`
  }
  note(`old tokens on their private channels: ${summarise(probes.map(outcome))}`)
  if (leaks.length > 0) note(`newcomers' whispers read by old clients: ${leaks.length} (${leaks.slice(0, 4).join('; ')})`)
  return { old, newcomers, ends, oldIds, newIds, probes, leaks }
}

/** `a, a, b` as `2 × a, 1 × b`. */
function summarise(values: string[]): string {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts].map(([value, count]) => `${count} × ${value}`).join(', ')
}
