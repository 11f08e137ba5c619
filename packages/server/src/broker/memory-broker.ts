import type { MessageId } from '@switchboard/client'
import { notify } from './broker.js'
import type { Broker, BrokerListener, BrokerStatus, PublishOutcome, PublishedMessage, RelayOptions } from './broker.js'
import { MemoryHistory } from '../history/memory-history.js'
import type { HistoryLimits, HistoryRead, HistoryStats } from '../history/history.js'
import { ReplayGate } from '../history/replay-gate.js'
import { DEFAULT_REPLAY_LIMITS } from '../history/replay-limits.js'
import type { ReplayLimits } from '../history/replay-limits.js'
import { SendWindow } from '../history/send-window.js'
import type { Sender, SendWindowLimits } from '../history/send-window.js'

export interface MemoryBrokerOptions {
  /** How much history is kept, per channel and in all. @default DEFAULT_HISTORY_LIMITS */
  history?: Partial<HistoryLimits>
  /** How much one resume may replay, and how many replays run at once. @default DEFAULT_REPLAY_LIMITS */
  replay?: Partial<ReplayLimits>
  sendWindow?: Partial<SendWindowLimits>
  onListenerError?: (error: unknown, channel: string) => void
}

/**
 * A one-process broker. Deliveries go through one FIFO queue, so a listener that publishes while
 * being called cannot overtake the message it is reacting to: every listener sees one global order.
 */
export class MemoryBroker implements Broker {
  private readonly channels = new Map<string, Set<BrokerListener>>()
  private readonly queue: Array<[string, string, MessageId | undefined, string | undefined]> = []
  private readonly store: MemoryHistory
  private readonly sent: SendWindow
  private readonly replay: ReplayLimits
  private readonly replays: ReplayGate
  private readonly onListenerError: (error: unknown, channel: string) => void
  private draining = false
  private readonly published = new Set<(message: PublishedMessage) => void>()
  private readonly sweeper: ReturnType<typeof setInterval>

  constructor(options: MemoryBrokerOptions = {}) {
    this.store = new MemoryHistory(options.history)
    this.sent = new SendWindow(options.sendWindow)
    this.replay = { ...DEFAULT_REPLAY_LIMITS, ...options.replay }
    this.replays = new ReplayGate(this.replay.maxInFlight)
    this.onListenerError = options.onListenerError ?? (() => {})
    this.sweeper = setInterval(() => this.store.trimAll(), 60_000)
    this.sweeper.unref()
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<() => void> {
    let listeners = this.channels.get(channel)
    if (!listeners) this.channels.set(channel, (listeners = new Set()))
    const wrapped: BrokerListener = (data, id, from) => listener(data, id, from)
    listeners.add(wrapped)
    return () => {
      listeners.delete(wrapped)
      if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel)
    }
  }

  publish(channel: string, data: string, sender?: Sender, from?: string): Promise<PublishOutcome> {
    if (sender && !this.sent.accept(sender)) return Promise.resolve('duplicate')
    const id = this.store.append(channel, data)
    for (const listener of this.published) notify(listener, { channel, data, id, from })
    return this.enqueue(channel, data, id, from)
  }

  onPublished(listener: (message: PublishedMessage) => void): () => void {
    this.published.add(listener)
    return () => this.published.delete(listener)
  }

  async forgo(sender: Sender): Promise<void> {
    this.sent.accept(sender)
  }

  relayOnly(channel: string, data: string, options: RelayOptions = {}): Promise<PublishOutcome> {
    if (options.announce) for (const listener of this.published) notify(listener, { channel, data, id: undefined, from: undefined })
    return this.enqueue(channel, data, undefined, undefined)
  }

  private enqueue(channel: string, data: string, id: MessageId | undefined, from: string | undefined): Promise<PublishOutcome> {
    this.queue.push([channel, data, id, from])
    if (!this.draining) {
      this.draining = true
      try {
        for (let next = this.queue.shift(); next; next = this.queue.shift()) this.deliver(...next)
      } finally {
        this.draining = false
      }
    }
    return Promise.resolve('published')
  }

  async history(channel: string, since?: MessageId): Promise<HistoryRead> {
    if (since === undefined) return this.store.read(channel)
    return this.replays.run(() => this.store.read(channel, since, this.replay))
  }

  /** Bytes and channels of history held by this process. */
  async historyStats(): Promise<HistoryStats> {
    return this.store.stats()
  }

  status(): BrokerStatus {
    return { kind: 'memory', connected: true, outages: 0, lostPublishes: 0, history: this.store.stats(), replays: this.replays.status() }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.channels.clear()
    this.queue.length = 0
  }

  private deliver(channel: string, data: string, id: MessageId | undefined, from: string | undefined): void {
    for (const listener of [...(this.channels.get(channel) ?? [])]) {
      try {
        listener(data, id, from)
      } catch (error) {
        this.onListenerError(error, channel)
      }
    }
  }
}
