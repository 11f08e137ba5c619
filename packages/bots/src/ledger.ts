/**
 * What every bot sent and received, matched by the key each bot's send carries (`k`), so that the run
 * can say what was lost, what came twice, and how long messages took: from the sender's send to each
 * receiver's arrival, on one clock, since every bot of a run is in this process.
 */
export interface Sent {
  key: string
  channel: string
  at: number
  /** The bots that had the channel open when it was sent: each of them should get it. */
  expected: Set<string>
}

export class Ledger {
  readonly sent = new Map<string, Sent>()
  // receiver → key → how often it arrived
  readonly received = new Map<string, Map<string, number>>()
  readonly latencies: number[] = []
  // channel → the bots that have it open
  private readonly open = new Map<string, Set<string>>()
  private counter = 0

  /** A bot's channel opened (and stays counted as open: it resumes, so it should get everything after). */
  opened(bot: string, channel: string): void {
    const bots = this.open.get(channel) ?? new Set<string>()
    this.open.set(channel, bots.add(bot))
  }

  /** A bot closed its channel for good: it expects nothing more on it. */
  closed(bot: string, channel: string): void {
    this.open.get(channel)?.delete(bot)
  }

  /** A new key for a send of `bot` on `channel`, recorded as sent now. */
  send(bot: string, channel: string, now: number): string {
    const key = `${bot}.${++this.counter}`
    this.sent.set(key, { key, channel, at: now, expected: new Set(this.open.get(channel)) })
    return key
  }

  /** A receipt failed: the message was refused or dropped, so nobody is owed it. */
  unsent(key: string): void {
    this.sent.delete(key)
  }

  /** A message with `key` arrived at `bot` at `now`. */
  arrived(bot: string, key: string, now: number): void {
    const counts = this.received.get(bot) ?? new Map<string, number>()
    this.received.set(bot, counts)
    const seen = (counts.get(key) ?? 0) + 1
    counts.set(key, seen)
    const sent = this.sent.get(key)
    if (sent && seen === 1) this.latencies.push(now - sent.at)
  }

  /** Deliveries owed and not made, and deliveries made more than once. */
  tally(): { expected: number; delivered: number; lost: number; duplicated: number } {
    let expected = 0
    let delivered = 0
    let lost = 0
    let duplicated = 0
    for (const sent of this.sent.values()) {
      for (const bot of sent.expected) {
        expected += 1
        const seen = this.received.get(bot)?.get(sent.key) ?? 0
        if (seen === 0) lost += 1
        else delivered += 1
        if (seen > 1) duplicated += seen - 1
      }
    }
    return { expected, delivered, lost, duplicated }
  }
}
