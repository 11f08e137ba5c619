import mitt from 'mitt'
import type { Emitter } from 'mitt'
import { ListenerError, ProtocolError, SchemaError, SwitchboardError, UsageError } from './errors.js'
import { compileFilter } from './filter.js'
import type { ErrorListener, MessageHandler, MessageMeta, StateListener, Unsubscribe } from './handlers.js'
import { InOrder } from './in-order.js'
import type { MessageFilter } from './filter.js'
import { assertChannelName, encodeFrame, parseBody } from './frame.js'
import type { Payload } from './frame.js'
import type { Identity } from './identity.js'
import type { Logger } from './logger.js'
import { describeIssues, schemaFor, validate } from './schema.js'
import type { MessageOf, MessageType, NoSchemas, OutgoingMessage, SchemaMap, Validation } from './schema.js'
import { Transport } from './transport.js'
import type { ConnectionState, StateChange } from './connection-state.js'
import type { MessageId } from './message-id.js'
import { Receipt } from './receipt.js'
import type { Gap } from './resume.js'
import type { TransportConfig } from './transport.js'

interface Delivery {
  payload: Payload
  meta: MessageMeta
}

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
 * One Dallinger channel on its own socket: dispatch by the payload's `type` (typed and validated when
 * schemas are given), filters, sends, state and errors. Obtained from `client.openChannel(name)`.
 */
export class Channel<S extends SchemaMap = NoSchemas> {
  /** The channel name, as in `?channel=`. */
  readonly name: string
  /** The identity this channel connected with. */
  readonly identity: Identity

  readonly #emitter: Emitter<Record<string, Delivery>> = mitt()
  readonly #anyHandlers = new Set<(delivery: Delivery) => void>()
  readonly #stateListeners = new Set<StateListener>()
  readonly #errorListeners = new Set<ErrorListener>()
  readonly #gapListeners = new Set<(gap: Gap) => void>()
  readonly #transport: Transport
  readonly #config: ChannelConfig<S>
  readonly #hasSchemas: boolean
  readonly #prefix: string
  // Messages behind an asynchronous schema wait for it, to keep their order.
  readonly #order = new InOrder((error) => this.#report(new ListenerError('Dispatch failed', error)))

  constructor(name: string, config: ChannelConfig<S>) {
    assertChannelName(name)
    this.name = name
    this.identity = config.identity
    this.#config = config
    this.#hasSchemas = Object.keys(config.schemas).length > 0
    this.#prefix = `${name}:`
    this.#transport = new Transport(
      { ...config.transport, logger: config.logger },
      {
        _onState: (change) => this.#changeState(change),
        _onFrame: (data, id) => this.#receive(data, id),
        _onGap: (gap) => this.#callEach(this.#gapListeners, gap, 'gap listener'),
        _onError: (error) => this.#report(error),
      },
    )
  }

  /** `connecting`, `open`, `reconnecting` or `closed` (final). */
  get state(): ConnectionState {
    return this.#transport.state
  }

  /**
   * Calls `handler` for each message whose `type` is `type` and that passes `filter`. With schemas,
   * `type` must be one of theirs and the message is validated (and typed) before the handler sees it.
   * @example
   * const off = broadcast.on('chat', (msg) => show(msg.text), { room: 'room_1' })
   */
  on<K extends MessageType<S>>(type: K, handler: MessageHandler<MessageOf<S, K>>, filter?: MessageFilter<MessageOf<S, K>>): Unsubscribe {
    if (typeof type !== 'string' || type === '*') {
      throw new UsageError(`Bad type ${JSON.stringify(type)}: use onAny() for all`)
    }
    if (this.#hasSchemas && !schemaFor(this.#config.schemas, type)) {
      throw new UsageError(`No schema for "${type}"`)
    }
    const wrapped = this.#wrap(handler as MessageHandler, filter as MessageFilter | undefined, `handler for "${type}"`)
    this.#emitter.on(type, wrapped)
    return () => this.#emitter.off(type, wrapped)
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
    return listen(this.#anyHandlers, this.#wrap(handler, filter, 'any-type handler'))
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
      if (!(result instanceof Promise) && !result.ok) {
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
      this.#emitter.all.clear()
      this.#anyHandlers.clear()
      this.#gapListeners.clear()
      this.#stateListeners.clear()
      this.#config.onClosed?.()
    }
  }

  #receive(data: unknown, id: MessageId | undefined): void {
    if (typeof data !== 'string') {
      this.#report(new ProtocolError('BINARY_FRAME', 'Binary frame ignored', this.name, '[binary]'))
      return
    }
    // The first-colon split, done as a prefix test: no channel name has a colon, so a frame is this
    // channel's exactly when it starts with "<name>:" (a bare 'ping' or another channel's frame does not).
    if (!data.startsWith(this.#prefix)) {
      this.#config.logger.debug('ignored frame', data)
      return
    }
    const body = parseBody(data.slice(this.#prefix.length))
    if (!body.ok) {
      this.#report(new ProtocolError(body.code, body.message, this.name, data))
      return
    }
    const { payload } = body
    const meta: MessageMeta = { channel: this.name, raw: data, receivedAt: Date.now(), id }
    const schema = this.#hasSchemas ? schemaFor(this.#config.schemas, payload.type) : undefined
    if (!schema) {
      if (this.#order._waiting) this.#order._run(() => this.#dispatch(payload, meta, !this.#hasSchemas))
      else this.#dispatch(payload, meta, !this.#hasSchemas)
      return
    }
    const type = String(payload.type)
    this.#order._run(() => {
      const result = validate(schema, payload)
      return result instanceof Promise ? result.then((done) => this.#accept(done, meta, type)) : this.#accept(result, meta, type)
    })
  }

  #accept(result: Validation, meta: MessageMeta, type: string): void {
    if (result.ok) {
      this.#dispatch(result.value, meta, true)
      return
    }
    this.#report(
      new SchemaError(`Rejected "${type}": ${describeIssues(result.issues)}`, {
        channel: this.name,
        raw: meta.raw,
        messageType: type,
        direction: 'incoming',
        issues: result.issues,
      }),
    )
  }

  /** Typed handlers get validated messages (or every typed message without schemas); any-type handlers get all. */
  #dispatch(payload: Payload, meta: MessageMeta, typed: boolean): void {
    const delivery: Delivery = { payload, meta }
    const { type } = payload
    if (typed && typeof type === 'string') this.#emitter.emit(type, delivery)
    if (this.#anyHandlers.size > 0) for (const handler of [...this.#anyHandlers]) handler(delivery)
  }

  #wrap(handler: MessageHandler, filter: MessageFilter | undefined, what: string): (delivery: Delivery) => void {
    const matches = compileFilter(filter, this.identity.participantId?.toString())
    // The try/catch is written out here rather than through a shared helper, which would cost a closure per message.
    return ({ payload, meta }) => {
      try {
        if (matches(payload)) handler(payload, meta)
      } catch (error) {
        this.#listenerFailed(what, error)
      }
    }
  }

  /** Calls each listener with `value`; one that throws is reported and the others still run. */
  #callEach<T>(listeners: Set<(value: T) => void>, value: T, what: string): void {
    for (const listener of [...listeners]) {
      try {
        listener(value)
      } catch (error) {
        this.#listenerFailed(what, error)
      }
    }
  }

  #listenerFailed(what: string, error: unknown): void {
    this.#report(new ListenerError(`A ${what} threw: ${String(error)}`, error))
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

/** Adds `listener` to `listeners`; returns the function that removes it. */
function listen<L>(listeners: Set<L>, listener: L): Unsubscribe {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
