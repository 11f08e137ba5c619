import { SchemaError, SwitchboardError } from './errors.js'
import type { MessageFilter } from './filter.js'
import { encodeFrame } from './frame.js'
import type { Payload } from './frame.js'
import { listen, listenerFailed } from './handlers.js'
import type { ErrorListener, MessageHandler, StateListener, Unsubscribe } from './handlers.js'
import type { Identity } from './identity.js'
import { Inbox } from './inbox.js'
import type { Logger } from './logger.js'
import type { PongSample } from './heartbeat.js'
import { describeIssues, schemaFor, validate } from './schema.js'
import type { MessageOf, MessageType, NoSchemas, OutgoingMessage, SchemaMap } from './schema.js'
import { Transport } from './transport.js'
import type { ConnectionState, StateChange } from './connection-state.js'
import { Receipt } from './receipt.js'
import type { Gap } from './resume.js'
import type { TransportConfig } from './transport.js'

export interface ChannelConfig<S extends SchemaMap> {
  transport: Omit<TransportConfig, 'logger'>
  identity: Identity
  logger: Logger
  schemas: S
  /** Check outgoing messages against their schema before sending. */
  _validateOutgoing: boolean
  onClosed?: () => void
}

/**
 * One Dallinger channel on its own socket: handlers by the payload's `type` (typed and validated when
 * schemas are given), filters, sends, state and errors. Obtained from `client.openChannel(name)`.
 */
export class Channel<S extends SchemaMap = NoSchemas> {
  /** The channel name, as in `?channel=`. */
  readonly name: string
  /** The identity this channel connected with. */
  readonly identity: Identity

  readonly #inbox: Inbox
  readonly #stateListeners = new Set<StateListener>()
  readonly #errorListeners = new Set<ErrorListener>()
  readonly #gapListeners = new Set<(gap: Gap) => void>()
  readonly #extensionListeners = new Set<(meta: Record<string, unknown>) => void>()
  readonly #transport: Transport
  readonly #config: ChannelConfig<S>

  constructor(name: string, config: ChannelConfig<S>) {
    this.name = name
    this.identity = config.identity
    this.#config = config
    this.#inbox = new Inbox(name, config, (error) => this.#report(error))
    this.#transport = new Transport(
      { ...config.transport, logger: config.logger },
      {
        _onState: (change) => this.#changeState(change),
        _frames: this.#inbox,
        _onGap: (gap) => this.#callEach(this.#gapListeners, gap, 'gap listener'),
        _onExtension: (meta) => this.#callEach(this.#extensionListeners, meta, 'extension listener'),
        _onError: (error) => this.#report(error),
      },
    )
  }

  /** `connecting`, `open`, `reconnecting` or `closed` (final). */
  get state(): ConnectionState {
    return this.#transport.state
  }

  /**
   * The last heartbeat's answer (resume extension): its round trip `rttMs`, the server's clock
   * `serverTime`, and `receivedAt`; undefined until a pong came. A quiet channel pings every
   * `heartbeatIntervalMs`; a busy one does not need to, and has none.
   */
  get lastPong(): PongSample | undefined {
    return this.#transport.lastPong
  }

  /**
   * Asks the server for its clock now (resume extension). Resolves with the server's time in its
   * answer, or undefined when the channel is not open on a Switchboard server or no answer came within
   * `heartbeatTimeoutMs`. Time the call yourself for the round trip; `createServerClock` does it all.
   */
  ping(): Promise<number | undefined> {
    return this.#transport.ping()
  }

  /** @internal For the SDK's own modules (presence): writes an extension frame; false when the socket cannot take one now. */
  _extension(json: string): boolean {
    return this.#transport._extension(json)
  }

  /** @internal For the SDK's own modules: each extension frame the channel itself does not know. */
  _onExtension(listener: (meta: Record<string, unknown>) => void): Unsubscribe {
    return listen(this.#extensionListeners, listener)
  }

  /**
   * Calls `handler` for each message whose `type` is `type` and that passes `filter`. With schemas,
   * `type` must be one of theirs and the message is validated (and typed) before the handler sees it.
   * @example
   * const off = broadcast.on('chat', (msg) => show(msg.text), { room: 'room_1' })
   */
  on<K extends MessageType<S>>(type: K, handler: MessageHandler<MessageOf<S, K>>, filter?: MessageFilter<MessageOf<S, K>>): Unsubscribe {
    return this.#inbox._on(type, handler as MessageHandler, filter as MessageFilter | undefined)
  }

  /** Like `on`, for the next matching message only. */
  once<K extends MessageType<S>>(type: K, handler: MessageHandler<MessageOf<S, K>>, filter?: MessageFilter<MessageOf<S, K>>): Unsubscribe {
    const off = this.on(
      type,
      (message, meta) => {
        off()
        handler(message, meta)
      },
      filter,
    )
    return off
  }

  /**
   * The next message of `type` that passes `filter`; rejects with `TIMEOUT` after `timeoutMs`, or
   * with the closing error if the channel closes first.
   * @example
   * const start = await control.waitFor('start', undefined, { timeoutMs: 60_000 })
   */
  waitFor<K extends MessageType<S>>(type: K, filter?: MessageFilter<MessageOf<S, K>>, { timeoutMs }: { timeoutMs?: number } = {}): Promise<MessageOf<S, K>> {
    if (this.state === 'closed') return Promise.reject(this.#closedError())
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        offMessage()
        offState()
        clearTimeout(timer)
        outcome()
      }
      const offMessage = this.on(type, (message) => settle(() => resolve(message)), filter)
      const offState = this.onStateChange((change) => {
        if (change.next === 'closed') settle(() => reject(change.error ?? this.#closedError()))
      })
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => settle(() => reject(new SwitchboardError('TIMEOUT', `No "${type}" within ${timeoutMs} ms`))), timeoutMs)
    })
  }

  /** Calls `handler` for every message on this channel that passes `filter`, including types without a schema. */
  onAny(handler: MessageHandler, filter?: MessageFilter): Unsubscribe {
    return this.#inbox._onAny(handler, filter)
  }

  /** Calls `listener` on every state change, with `{ prev, next, reason, attempt, delayMs }`. */
  onStateChange(listener: StateListener): Unsubscribe {
    return listen(this.#stateListeners, listener)
  }

  /**
   * Calls `listener` with every runtime fault: bad frames, messages failing their schema, refused
   * connections, refused sends, handlers that threw. Without a listener these go to `logger.warn`.
   */
  onError(listener: ErrorListener): Unsubscribe {
    return listen(this.#errorListeners, listener)
  }

  /**
   * Calls `listener` when a reconnect could not recover everything: the server's history no longer
   * held some messages sent while this channel was away (resume extension only). Delivery goes on
   * after the hole; the page should resynchronise what it shows (ask the experiment for the state).
   */
  onGap(listener: (gap: Gap) => void): Unsubscribe {
    return listen(this.#gapListeners, listener)
  }

  /**
   * Sends `payload` to this channel (every subscriber gets it, this page included).
   * @returns a {@link Receipt}: `queued` until the socket opens, then `sent`, then `acknowledged` once the
   * server has it (resume extension), or `failed` with the reason (also reported through `onError`).
   */
  send(payload: OutgoingMessage<S>): Receipt {
    return this.sendTo(this.name, payload)
  }

  /** Sends `payload` to any channel over this channel's socket, as Dallinger allows. */
  sendTo(channel: string, payload: OutgoingMessage<S>): Receipt {
    const frame = encodeFrame(channel, payload as Payload)
    const type = (payload as Payload).type
    const schema = this.#config._validateOutgoing ? schemaFor(this.#config.schemas, type) : undefined
    if (schema) {
      const result = validate(schema, payload as Payload)
      // Asynchronous schemas are checked on receipt only: a send's outcome is known at once.
      if (!(result instanceof Promise) && result.issues) {
        const error = new SchemaError(`Not sent: "${String(type)}": ${describeIssues(result.issues)}`, { channel, raw: frame, messageType: String(type), direction: 'outgoing', issues: result.issues })
        this.#report(error)
        return new Receipt(error)
      }
    }
    return this.#transport.send(frame)
  }

  /** Resolves once open (at once if open now); rejects if the channel closes first. */
  ready(): Promise<void> {
    if (this.state === 'open') return Promise.resolve()
    if (this.state === 'closed') return Promise.reject(this.#closedError())
    return new Promise((resolve, reject) => {
      const off = this.onStateChange((change) => {
        if (change.next === 'open') {
          off()
          resolve()
        } else if (change.next === 'closed') {
          off()
          reject(change.error ?? this.#closedError())
        }
      })
    })
  }

  /** Closes the socket for good. Idempotent. */
  close(): void {
    if (this.state === 'closed') return
    this.#transport.close()
  }

  #changeState(change: StateChange): void {
    this.#callEach(this.#stateListeners, change, 'state listener')
    if (change.next === 'closed') {
      this.#inbox._clear()
      this.#gapListeners.clear()
      this.#extensionListeners.clear()
      this.#stateListeners.clear()
      this.#config.onClosed?.()
    }
  }

  /** Calls each listener with `value`; one that throws is reported and the others still run. */
  #callEach<T>(listeners: Set<(value: T) => void>, value: T, what: string): void {
    for (const listener of [...listeners]) {
      try {
        listener(value)
      } catch (error) {
        this.#report(listenerFailed(what, error))
      }
    }
  }

  #report(error: SwitchboardError): void {
    if (this.#errorListeners.size === 0) {
      this.#config.logger.warn(`${this.name}:`, error)
      return
    }
    for (const listener of [...this.#errorListeners]) {
      try {
        listener(error)
      } catch (thrown) {
        this.#config.logger.warn('an error listener threw:', thrown, 'while handling', error)
      }
    }
  }

  #closedError(): SwitchboardError {
    return new SwitchboardError('CHANNEL_CLOSED', `${this.name} is closed`)
  }
}
