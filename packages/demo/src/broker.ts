/** Receives the payload (the text after `channel:`) of each message published to a channel. */
export type BrokerListener = (data: string) => void

/** What a broker tells operators (GET /status). */
export interface BrokerStatus {
  kind: 'memory' | 'redis'
  connected: boolean
  /** Times the connection to Redis was lost. */
  outages: number
  /** Publishes that failed while Redis was unreachable (their messages were lost). */
  lostPublishes: number
  /** The last outage, once it ended: when, how long, and how many channels were resubscribed. */
  lastOutage?: { startedAt: string; durationMs: number; channels: number }
}

/**
 * Fan-out between sockets and the experiment. Channel names are raw (no prefix), as in Dallinger's Redis.
 * Messages on one channel reach every listener in publish order.
 */
export interface Broker {
  /** Listens to `channel`; resolves, once messages published from now on will arrive, with the function that stops listening. */
  subscribe(channel: string, listener: BrokerListener): Promise<() => void>
  publish(channel: string, data: string): void
  status(): BrokerStatus
  close(): Promise<void>
}
