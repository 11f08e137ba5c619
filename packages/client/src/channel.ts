import mitt from 'mitt'
import type { Emitter } from 'mitt'
import { ListenerError, ProtocolError, SwitchboardError, UsageError } from './errors.js'
import { compileFilter } from './filter.js'
import type { MessageFilter } from './filter.js'
import { assertChannelName, decodeFrame, encodeFrame } from './frame.js'
import type { Payload } from './frame.js'
import type { Identity } from './identity.js'
import type { Logger } from './logger.js'
import { Transport } from './transport.js'
import type { ConnectionState, SendStatus, StateChange, TransportConfig } from './transport.js'

/** What came with a message besides its payload. */
export interface MessageMeta {
  /** The channel it arrived on. */
  channel: string
  /** The frame exactly as received, `channel:payload`. */
  raw: string
  /** `Date.now()` when it arrived. */
  receivedAt: number
}

export type MessageHandler<M = Payload> = (message: M, meta: MessageMeta) => void
export type StateListener = (change: StateChange) => void
export type ErrorListener = (error: SwitchboardError) => void
/** Removes what was added; calling it twice is harmless. */
export type Unsubscribe = () => void

interface Delivery {
  payload: Payload
  meta: MessageMeta
}

export interface ChannelConfig {
  transport: Omit<TransportConfig, 'logger'>
  identity: Identity
  logger: Logger
  onClosed?: () => void
}

/**
 * One Dallinger channel on its own socket: typed dispatch by the payload's `type`, filters,
 * sends, state and errors. Obtained from `client.openChannel(name)`.
 */
export class Channel {
  /** The channel name, as in `?channel=`. */
  readonly name: string
  /** The identity this channel connected with. */
  readonly identity: Identity

  private readonly emitter: Emitter<Record<string, Delivery>> = mitt()
  private readonly anyHandlers = new Set<(delivery: Delivery) => void>()
  private readonly stateListeners = new Set<StateListener>()
  private readonly errorListeners = new Set<ErrorListener>()
  private readonly transport: Transport
  private readonly logger: Logger
  private readonly onClosed: (() => void) | undefined

  constructor(name: string, config: ChannelConfig) {
    assertChannelName(name)
    this.name = name
    this.identity = config.identity
    this.logger = config.logger
    this.onClosed = config.onClosed
    this.transport = new Transport(
      { ...config.transport, logger: config.logger },
      {
        onState: (change) => this.changeState(change),
        onFrame: (data) => this.receive(data),
        onError: (error) => this.report(error),
      },
    )
  }

  /** `connecting`, `open`, `reconnecting` or `closed` (final). */
  get state(): ConnectionState {
    return this.transport.state
  }

  /**
   * Calls `handler` for each message whose `type` is `type` and that passes `filter`.
   * @example
   * const off = broadcast.on('chat', (msg) => show(msg.text), { room: 'room_1' })
   */
  on(type: string, handler: MessageHandler, filter?: MessageFilter): Unsubscribe {
    if (typeof type !== 'string' || type === '*') {
      throw new UsageError(`on() takes a message type string; use onAny() for every message (got ${JSON.stringify(type)})`)
    }
    const wrapped = this.wrap(handler, filter, `handler for "${type}"`)
    this.emitter.on(type, wrapped)
    return () => this.emitter.off(type, wrapped)
  }

  /** Like `on`, for the next matching message only. */
  once(type: string, handler: MessageHandler, filter?: MessageFilter): Unsubscribe {
    const off = this.on(type, (message, meta) => {
      off()
      handler(message, meta)
    }, filter)
    return off
  }

  /** Calls `handler` for every message on this channel, typed or not, that passes `filter`. */
  onAny(handler: MessageHandler, filter?: MessageFilter): Unsubscribe {
    const wrapped = this.wrap(handler, filter, 'any-type handler')
    this.anyHandlers.add(wrapped)
    return () => this.anyHandlers.delete(wrapped)
  }

  /** Calls `listener` on every state change, with `{ prev, next, reason, attempt, delayMs }`. */
  onStateChange(listener: StateListener): Unsubscribe {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  /**
   * Calls `listener` with every runtime fault: bad frames, refused connections, refused sends,
   * handlers that threw. Without a listener these are logged with `logger.warn`.
   */
  onError(listener: ErrorListener): Unsubscribe {
    this.errorListeners.add(listener)
    return () => this.errorListeners.delete(listener)
  }

  /**
   * Sends `payload` to this channel (every subscriber gets it, this page included).
   * @returns `'sent'`, `'queued'` until the socket opens, or `'refused'` (reported through `onError`).
   */
  send(payload: Payload): SendStatus {
    return this.transport.send(encodeFrame(this.name, payload))
  }

  /** Sends `payload` to another channel over this channel's socket, as Dallinger allows. */
  sendTo(channel: string, payload: Payload): SendStatus {
    return this.transport.send(encodeFrame(channel, payload))
  }

  /** Resolves once open (at once if open now); rejects if the channel closes first. */
  ready(): Promise<void> {
    if (this.state === 'open') return Promise.resolve()
    if (this.state === 'closed') return Promise.reject(this.closedError())
    return new Promise((resolve, reject) => {
      const off = this.onStateChange((change) => {
        if (change.next === 'open') {
          off()
          resolve()
        } else if (change.next === 'closed') {
          off()
          reject(change.error ?? this.closedError())
        }
      })
    })
  }

  /** Closes the socket for good. Idempotent. */
  close(): void {
    if (this.state === 'closed') return
    this.transport.close()
  }

  private changeState(change: StateChange): void {
    for (const listener of [...this.stateListeners]) this.safely(() => listener(change), 'state listener')
    if (change.next === 'closed') {
      this.emitter.all.clear()
      this.anyHandlers.clear()
      this.stateListeners.clear()
      this.onClosed?.()
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.report(new ProtocolError('BINARY_FRAME', 'Ignored a binary frame: the protocol carries text frames', this.name, '[binary]'))
      return
    }
    const frame = decodeFrame(data)
    if (frame.channel !== this.name) {
      this.logger.debug('ignored a frame without this channel prefix:', data)
      return
    }
    if (!frame.ok) {
      // NO_CHANNEL cannot reach here: such a frame has no channel, so it was ignored above.
      if (frame.code !== 'NO_CHANNEL') this.report(new ProtocolError(frame.code, frame.message, this.name, data))
      return
    }
    const delivery: Delivery = { payload: frame.payload, meta: { channel: this.name, raw: data, receivedAt: Date.now() } }
    const { type } = frame.payload
    if (typeof type === 'string') this.emitter.emit(type, delivery)
    for (const handler of [...this.anyHandlers]) handler(delivery)
  }

  private wrap(handler: MessageHandler, filter: MessageFilter | undefined, what: string): (delivery: Delivery) => void {
    const matches = compileFilter(filter, this.identity.participantId?.toString())
    return ({ payload, meta }) => {
      if (matches(payload)) this.safely(() => handler(payload, meta), what)
    }
  }

  private safely(fn: () => void, what: string): void {
    try {
      fn()
    } catch (error) {
      this.report(new ListenerError(`A ${what} on channel "${this.name}" threw: ${String(error)}`, error))
    }
  }

  private report(error: SwitchboardError): void {
    if (this.errorListeners.size === 0) {
      this.logger.warn(`channel "${this.name}":`, error)
      return
    }
    for (const listener of [...this.errorListeners]) {
      try {
        listener(error)
      } catch (thrown) {
        this.logger.warn(`an error listener on channel "${this.name}" threw:`, thrown, 'while handling', error)
      }
    }
  }

  private closedError(): SwitchboardError {
    return new SwitchboardError('CHANNEL_CLOSED', `Channel "${this.name}" is closed`)
  }
}
