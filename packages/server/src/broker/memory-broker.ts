import type { MessageId } from '@switchboard/client'
import type { Broker, BrokerListener, BrokerStatus, PublishOutcome } from './broker.js'
import { MemoryHistory } from '../history/memory-history.js'
import type { HistoryLimits, HistoryRead } from '../history/history.js'
import { SendWindow } from '../history/send-window.js'
import type { Sender, SendWindowLimits } from '../history/send-window.js'

export interface MemoryBrokerOptions {
  history?: Partial<HistoryLimits>
  sendWindow?: Partial<SendWindowLimits>
  onListenerError?: (error: unknown, channel: string) => void
}

/**
 * A one-process broker. Deliveries go through one FIFO queue, so a listener that publishes while
 * being called cannot overtake the message it is reacting to: every listener sees one global order.
 */
export class MemoryBroker implements Broker {
  private readonly channels = new Map<string, Set<BrokerListener>>()
  private readonly queue: Array<[string, string, MessageId]> = []
  private readonly store: MemoryHistory
  private readonly sent: SendWindow
  private readonly onListenerError: (error: unknown, channel: string) => void
  private draining = false
  private readonly sweeper: ReturnType<typeof setInterval>

  constructor(options: MemoryBrokerOptions = {}) {
    this.store = new MemoryHistory(options.history)
    this.sent = new SendWindow(options.sendWindow)
    this.onListenerError = options.onListenerError ?? (() => {})
    this.sweeper = setInterval(() => this.store.trimAll(), 60_000)
    this.sweeper.unref()
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<() => void> {
    let listeners = this.channels.get(channel)
    if (!listeners) this.channels.set(channel, (listeners = new Set()))
    const wrapped: BrokerListener = (data, id) => listener(data, id)
    listeners.add(wrapped)
    return () => {
      listeners.delete(wrapped)
      if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel)
    }
  }

  publish(channel: string, data: string, sender?: Sender): Promise<PublishOutcome> {
    if (sender && !this.sent.accept(sender)) return Promise.resolve('duplicate')
    this.queue.push([channel, data, this.store.append(channel, data)])
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
    return this.store.read(channel, since)
  }

  status(): BrokerStatus {
    return { kind: 'memory', connected: true, outages: 0, lostPublishes: 0 }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.channels.clear()
    this.queue.length = 0
  }

  private deliver(channel: string, data: string, id: MessageId): void {
    for (const listener of [...(this.channels.get(channel) ?? [])]) {
      try {
        listener(data, id)
      } catch (error) {
        this.onListenerError(error, channel)
      }
    }
  }
}
