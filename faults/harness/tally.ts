import { compareMessageIds } from '@switchboard/client'
import type { ChannelRecord, Delivery, GapReport, StreamResult } from './records.js'

/** The figures of one stream run, over every receiving channel and every sender. */
export interface Tally {
  mode: 'resume' | 'plain'
  /** Sends made (every target). */
  sent: number
  /** Deliveries the receiving channels should have made (each number once per channel that should get it). */
  expected: number
  /** Deliveries made, duplicates included. */
  received: number
  /** Numbers a channel never got, with no gap it reported covering them, though their send did not fail. */
  lostWithoutGap: number
  /** Numbers a channel never got that a gap it reported covers. */
  inGap: number
  /** Numbers a channel never got, no gap covering them, whose send failed at the sender (a refused channel, say): reported, to the sender. */
  failedAtSender: number
  duplicated: number
  outOfOrder: number
  /** Receipts by final status, and those not settled. */
  receipts: { acknowledged: number; sent: number; failed: number; unsettled: number }
  /** The longest time from `send()` to a delivery. */
  maxDelayMs: number
  /** The first few silent losses, as `receiver/channel <- sender: n,n,n`, for the diagnosis. */
  lossDetails: string[]
  /** Why sends failed, counted. */
  failures: Record<string, number>
}

/** Counts what every channel of `result` lost, got twice or out of order, and what the gaps it reported cover. */
export function tally(result: StreamResult): Tally {
  const t: Tally = {
    mode: result.mode,
    sent: result.sends.length,
    expected: 0,
    received: 0,
    lostWithoutGap: 0,
    inGap: 0,
    failedAtSender: 0,
    duplicated: 0,
    outOfOrder: 0,
    receipts: { acknowledged: 0, sent: 0, failed: 0, unsettled: 0 },
    maxDelayMs: 0,
    lossDetails: [],
    failures: {},
  }
  const failed = new Set<string>()
  for (const send of result.sends) {
    if (send.settled === 'failed') failed.add(`${send.from}|${send.target}|${send.n}`)
    if (send.settled === undefined) t.receipts.unsettled += 1
    else if (send.settled === 'acknowledged' || send.settled === 'sent' || send.settled === 'failed') t.receipts[send.settled] += 1
    if (send.error) t.failures[send.error] = (t.failures[send.error] ?? 0) + 1
  }
  for (const channel of result.channels) {
    t.received += channel.deliveries.length
    for (const d of channel.deliveries) t.maxDelayMs = Math.max(t.maxDelayMs, d.receivedAt - d.sentAt)
    for (const from of channel.expectedFrom) {
      const count = result.sentBy.get(from) ?? 0
      t.expected += count
      const figures = senderFigures(channel, from, count, (n) => failed.has(`${from}|${channel.channel}|${n}`))
      t.duplicated += figures.duplicated
      t.outOfOrder += figures.outOfOrder
      t.inGap += figures.inGap
      t.failedAtSender += figures.failedAtSender
      t.lostWithoutGap += figures.silent.length
      if (figures.silent.length > 0 && t.lossDetails.length < 12) {
        const states = channel.states.length > 1 ? ` (its states: ${channel.states.slice(1, 6).join(' ')}${channel.states.length > 6 ? ' …' : ''})` : ' (never reconnected)'
        t.lossDetails.push(`${channel.owner}/${channel.channel} <- ${from}: ${ranges(figures.silent)}${states}`)
      }
    }
  }
  return t
}

/** One sender's numbers 1..count as one channel got them. */
function senderFigures(channel: ChannelRecord, from: string, count: number, failedAtSender: (n: number) => boolean): { duplicated: number; outOfOrder: number; inGap: number; failedAtSender: number; silent: number[] } {
  const mine = channel.deliveries.filter((d) => d.from === from)
  const first = new Map<number, Delivery>()
  let duplicated = 0
  let outOfOrder = 0
  let highest = 0
  for (const d of mine) {
    if (first.has(d.n)) {
      duplicated += 1
      continue
    }
    first.set(d.n, d)
    if (d.n < highest) outOfOrder += 1
    highest = Math.max(highest, d.n)
  }
  let inGap = 0
  let failedCount = 0
  const silent: number[] = []
  for (let n = 1; n <= count; n++) {
    if (first.has(n)) continue
    if (covered(channel.gaps, neighbour(first, n, -1, count), neighbour(first, n, +1, count))) inGap += 1
    else if (failedAtSender(n)) failedCount += 1
    else silent.push(n)
  }
  return { duplicated, outOfOrder, inGap, failedAtSender: failedCount, silent }
}

/** The nearest number below (`step` -1) or above (+1) `n` that did arrive. */
function neighbour(got: Map<number, Delivery>, n: number, step: -1 | 1, count: number): Delivery | undefined {
  for (let m = n + step; m >= 1 && m <= count; m += step) {
    const d = got.get(m)
    if (d) return d
  }
  return undefined
}

/**
 * Whether a reported gap may hold a message published between `before` and `after` (the sender's
 * neighbours that arrived; one sender's numbers are published in order, so their ids increase):
 * a gap (since, last] that overlaps (before.id, after.id). Without ids (plain), nothing is covered.
 */
function covered(gaps: readonly GapReport[], before: Delivery | undefined, after: Delivery | undefined): boolean {
  if ((before && !before.id) || (after && !after.id)) return false
  return gaps.some((gap) => (!before?.id || compareMessageIds(gap.last, before.id) > 0) && (!after?.id || compareMessageIds(gap.since, after.id) < 0))
}

/** `1,2,3,7,9,10` as `1-3,7,9-10`. */
function ranges(numbers: number[]): string {
  const parts: string[] = []
  for (let i = 0; i < numbers.length; ) {
    let j = i
    while (j + 1 < numbers.length && (numbers[j + 1] as number) === (numbers[j] as number) + 1) j++
    parts.push(i === j ? String(numbers[i]) : `${numbers[i]}-${numbers[j]}`)
    i = j + 1
  }
  return parts.join(',')
}
