import type { Broker, BrokerListener, BrokerStatus } from './broker.js'

/**
 * A one-process broker. Deliveries go through one FIFO queue, so a listener that publishes while
 * being called cannot overtake the message it is reacting to: every listener sees one global order.
 */
export class MemoryBroker implements Broker {
  private readonly channels = new Map<string, Set<BrokerListener>>()
  private readonly queue: Array<[string, string]> = []
  private draining = false

  constructor(private readonly onListenerError: (error: unknown, channel: string) => void = () => {}) {}

  async subscribe(channel: string, listener: BrokerListener): Promise<() => void> {
    let listeners = this.channels.get(channel)
    if (!listeners) this.channels.set(channel, (listeners = new Set()))
    const wrapped: BrokerListener = (data) => listener(data)
    listeners.add(wrapped)
    return () => {
      listeners.delete(wrapped)
      if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel)
    }
  }

  publish(channel: string, data: string): void {
    this.queue.push([channel, data])
    if (this.draining) return
    this.draining = true
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.deliver(...next)
    } finally {
      this.draining = false
    }
  }

  status(): BrokerStatus {
    return { kind: 'memory', connected: true, outages: 0, lostPublishes: 0 }
  }

  async close(): Promise<void> {
    this.channels.clear()
    this.queue.length = 0
  }

  private deliver(channel: string, data: string): void {
    for (const listener of [...(this.channels.get(channel) ?? [])]) {
      try {
        listener(data)
      } catch (error) {
        this.onListenerError(error, channel)
      }
    }
  }
}
