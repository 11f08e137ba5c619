import { privateChannelName } from '@switchboard/client'
import { probeSocket } from './probe.js'
import type { ProbeOutcome } from './probe.js'
import type { ChannelRecord } from './records.js'
import type { Streams } from './streams.js'
import { waitFor } from './wait.js'

/** How one old channel ended after its server forgot it. */
export interface OldChannelEnd {
  channel: string
  owner: string
  state: string
  /** The close that closed it, e.g. `refused 4410`, or undefined while it is not closed. */
  closed: string | undefined
  /** When it closed (ms since the epoch). */
  closedAt: number | undefined
  /** Its CONNECTION_REFUSED errors' close codes. */
  refusedCodes: number[]
  /** The states it went through, for the diagnosis. */
  states: string[]
}

/**
 * Waits (up to `timeoutMs`) for every channel of `streams` to be closed, and says how each ended; a
 * channel still open at the deadline is reported as it stands (the test's assertion then fails on it).
 */
export async function oldChannelEnds(streams: Streams, timeoutMs = 10_000): Promise<OldChannelEnd[]> {
  const channels = () => streams.participants.flatMap((p) => [p.broadcast, p.inbox])
  await waitFor('every old channel to be closed', () => channels().every((c) => c.state === 'closed'), { timeoutMs }).catch(() => undefined)
  return streams.participants.flatMap((p) =>
    [p.broadcast, p.inbox].map((channel) => {
      const record = streams.channels.find((r) => r.owner === p.id && r.channel === channel.name) as ChannelRecord
      return {
        channel: channel.name,
        owner: p.id,
        state: channel.state,
        closed: record.closed ? `${record.closed.reason} ${record.closed.closeCode ?? '-'}` : undefined,
        closedAt: record.closed?.at,
        refusedCodes: record.errors.filter((e) => e.code === 'CONNECTION_REFUSED').map((e) => e.closeCode ?? -1),
        states: record.states.slice(-6),
      }
    }),
  )
}

/** What each old credential got when it tried its own private channel again. */
export async function probeOldTokens(baseUrl: string, old: ReadonlyArray<{ id: string; token: string }>): Promise<Array<{ id: string } & ProbeOutcome>> {
  return Promise.all(old.map(async ({ id, token }) => ({ id, ...(await probeSocket(baseUrl, privateChannelName(id), id, token)) })))
}

/** Message frames (not the server's `:…` extension frames) among `frames`. */
export function messageFrames(frames: readonly string[]): string[] {
  return frames.filter((frame) => !frame.startsWith(':'))
}

/** Whispers of another run (newcomers' to one another) that the old clients' private channels received. */
export function foreignWhispers(streams: Streams): string[] {
  return streams.channels.filter((c) => c.kind === 'whisper').flatMap((c) => c.foreign.map((d) => `${c.channel} got ${d.from}#${d.n} of ${d.run}`))
}
