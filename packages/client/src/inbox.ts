import mitt from 'mitt'
import type { Emitter } from 'mitt'
import { ListenerError, ProtocolError, SchemaError, UsageError } from './errors.js'
import type { SwitchboardError } from './errors.js'
import { compileFilter } from './filter.js'
import type { MessageFilter } from './filter.js'
import { parseBody } from './frame.js'
import type { Payload } from './frame.js'
import { listen, listenerFailed } from './handlers.js'
import type { MessageHandler, MessageMeta, Unsubscribe } from './handlers.js'
import { preciseNow } from './precise-time.js'
import type { Identity } from './identity.js'
import { InOrder } from './in-order.js'
import type { Logger } from './logger.js'
import type { MessageId } from './message-id.js'
import { describeIssues, schemaFor, validate } from './schema.js'
import type { SchemaMap, Validation } from './schema.js'

interface Delivery {
  payload: Payload
  meta: MessageMeta
}

/** What the inbox takes from its channel's configuration. */
export interface InboxConfig {
  identity: Identity
  logger: Logger
  schemas: SchemaMap
}

/**
 * The receiving half of a channel: keeps the frames that are the channel's own, parses them, checks
 * them against their schema in arrival order, and dispatches them by `type` (mitt) and to any-type
 * handlers. Handlers run inside try/catch; what goes wrong goes to `report`.
 */
export class Inbox {
  readonly #emitter: Emitter<Record<string, Delivery>> = mitt()
  readonly #anyHandlers = new Set<(delivery: Delivery) => void>()
  readonly #name: string
  readonly #prefix: string
  readonly #config: InboxConfig
  readonly #hasSchemas: boolean
  readonly #report: (error: SwitchboardError) => void
  // Messages behind an asynchronous schema wait for it, to keep their order.
  readonly #order = new InOrder((error) => this.#report(new ListenerError('Dispatch failed', error)))

  constructor(name: string, config: InboxConfig, report: (error: SwitchboardError) => void) {
    this.#name = name
    this.#prefix = `${name}:`
    this.#config = config
    this.#hasSchemas = Object.keys(config.schemas).length > 0
    this.#report = report
  }

  /** Adds a handler for `type`; with schemas, `type` must have one. */
  _on(type: string, handler: MessageHandler, filter: MessageFilter | undefined): Unsubscribe {
    if (typeof type !== 'string' || type === '*') {
      throw new UsageError(`Bad type ${JSON.stringify(type)}: use onAny() for all`)
    }
    if (this.#hasSchemas && !schemaFor(this.#config.schemas, type)) {
      throw new UsageError(`No schema for "${type}"`)
    }
    const wrapped = this.#wrap(handler, filter, `handler for "${type}"`)
    this.#emitter.on(type, wrapped)
    return () => this.#emitter.off(type, wrapped)
  }

  _onAny(handler: MessageHandler, filter: MessageFilter | undefined): Unsubscribe {
    return listen(this.#anyHandlers, this.#wrap(handler, filter, 'any-type handler'))
  }

  /** Drops every handler: the channel closed. */
  _clear(): void {
    this.#emitter.all.clear()
    this.#anyHandlers.clear()
  }

  /** A frame from the socket, `id` its message id on a resuming connection. */
  _receive(data: unknown, id: MessageId | undefined): void {
    if (typeof data !== 'string') {
      this.#report(new ProtocolError('BINARY_FRAME', 'Binary frame ignored', this.#name, '[binary]'))
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
      this.#report(new ProtocolError(body.code, body.message, this.#name, data))
      return
    }
    const { payload } = body
    const meta: MessageMeta = { channel: this.#name, raw: data, receivedAt: preciseNow(), id }
    if (id !== undefined) meta.serverTime = +id.slice(0, id.indexOf('-'))
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
        channel: this.#name,
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
    const matches = compileFilter(filter, this.#config.identity.participantId?.toString())
    // The try/catch is written out here rather than through a shared helper, which would cost a closure per message.
    return ({ payload, meta }) => {
      try {
        if (matches(payload)) handler(payload, meta)
      } catch (error) {
        this.#report(listenerFailed(what, error))
      }
    }
  }
}
