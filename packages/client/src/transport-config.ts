import type { StateChange } from './connection-state.js'
import type { SwitchboardError } from './errors.js'
import type { Logger } from './logger.js'
import type { MessageId } from './message-id.js'
import type { ConnectionOptions, LifecycleTarget, WebSocketConstructor } from './options.js'
import type { OutboxStore } from './outbox-store.js'
import type { Gap } from './resume.js'

/** A channel's connection options with every default applied (options.ts documents them), and what the client adds. */
export interface TransportConfig
  extends Required<Pick<ConnectionOptions, 'minDelayMs' | 'maxDelayMs' | 'connectTimeoutMs' | 'maxAttempts' | 'outboxLimit' | 'resume' | 'helloTimeoutMs' | 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'shouldReconnect'>> {
  url: string
  WebSocket: WebSocketConstructor
  outboxStore?: OutboxStore | undefined
  lifecycle: LifecycleTarget | undefined
  logger: Logger
  random?: () => number
}

/** What a transport tells its channel. */
export interface TransportHandlers {
  _onState(change: StateChange): void
  /**
   * Takes the channel's frames, with their id and the id's server time on a resuming connection, and
   * when they arrived (see timeOfEvent). An object with a method rather than a callback: the inbox
   * itself, called with no closure in between on every message.
   */
  _frames: { _receive(data: unknown, id: MessageId | undefined, receivedAt: number, serverTime?: number): void }
  _onGap(gap: Gap): void
  _onExtension(meta: Record<string, unknown>): void
  _onError(error: SwitchboardError): void
}
