import type { Broker } from '../broker/broker.js'
import { DASHBOARD_CHANNEL } from '../protocol/control.js'
import type { Figures } from './figures.js'

/** Seconds of the session a dashboard opened late is shown. */
export const TIMELINE_SECONDS = 600

/** The session over time, a point per second: who was present, and the messages of each channel. */
export interface Timeline {
  /** Seconds since the epoch. */
  t: number[]
  present: Array<number | null>
  /** Messages per second, by channel (the busiest of each second and process, the rest as `(other)`). */
  channels: Record<string, number[]>
}

/**
 * The last ten minutes of the dashboard's figures, as every process hears them on the dashboard
 * channel, so that a dashboard opened in the middle of a session shows how it got there.
 */
export class FiguresTimeline {
  private readonly seconds = new Map<number, { present: number | null; channels: Map<string, number> }>()
  private stop: (() => void) | undefined

  constructor(private readonly broker: Broker) {}

  async start(): Promise<void> {
    this.stop = await this.broker.subscribe(DASHBOARD_CHANNEL, (data) => this.heard(data))
  }

  close(): void {
    this.stop?.()
  }

  /** Adds one process's figures to their second. */
  heard(data: string): void {
    let figures: Figures
    try {
      figures = JSON.parse(data) as Figures
    } catch {
      return
    }
    if (figures?.type !== 'figures' || typeof figures.at !== 'number' || typeof figures.messages !== 'object') return
    const second = Math.floor(figures.at / 1000)
    const bucket = this.seconds.get(second) ?? { present: null, channels: new Map<string, number>() }
    for (const [channel, n] of Object.entries(figures.messages)) if (typeof n === 'number') bucket.channels.set(channel, (bucket.channels.get(channel) ?? 0) + n)
    if (figures.presence) bucket.present = Object.keys(figures.presence.participants).length
    this.seconds.set(second, bucket)
    for (const old of this.seconds.keys()) if (old <= second - TIMELINE_SECONDS) this.seconds.delete(old)
  }

  timeline(): Timeline {
    const t = [...this.seconds.keys()].sort((a, b) => a - b)
    const buckets = t.map((second) => this.seconds.get(second))
    const names = new Set(buckets.flatMap((bucket) => [...(bucket?.channels.keys() ?? [])]))
    const channels = Object.fromEntries([...names].map((name) => [name, buckets.map((bucket) => bucket?.channels.get(name) ?? 0)]))
    return { t, present: buckets.map((bucket) => bucket?.present ?? null), channels }
  }
}
