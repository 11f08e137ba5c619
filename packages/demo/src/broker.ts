/** Receives the payload (the text after `channel:`) of each message published to a channel. */
export type BrokerListener = (data: string) => void

/**
 * Fan-out between sockets and the experiment. Channel names are raw (no prefix), as in Dallinger's Redis.
 * Messages on one channel reach every listener in publish order.
 */
export interface Broker {
  /** Listens to `channel`; returns the function that stops listening. */
  subscribe(channel: string, listener: BrokerListener): () => void
  publish(channel: string, data: string): void
  close(): Promise<void>
}
