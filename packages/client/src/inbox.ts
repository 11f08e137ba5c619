import { ListenerError, ProtocolError, SchemaError, UsageError } from './errors.js'
import type { SwitchboardError } from './errors.js'
import { compileFilter } from './filter.js'
import type { MessageFilter } from './filter.js'
import { isPayload } from './frame.js'
import type { Payload } from './frame.js'
import { HandlerList } from './handler-list.js'
import { listenerFailed } from './handlers.js'
import type { MessageHandler, MessageMeta, Unsubscribe } from './handlers.js'
import type { Identity } from './identity.js'
import { InOrder } from './in-order.js'
import type { Logger } from './logger.js'
import type { MessageId } from './message-id.js'
import { describeIssues, validate } from './schema.js'
import type { SchemaMap, StandardSchemaV1, Validation } from './schema.js'

/** A handler as the inbox calls it: wrapped in its filter and try/catch. */
type Deliver = (payload: Payload, meta: MessageMeta) => void

/** What the inbox takes from its channel's configuration. */
export interface InboxConfig {
  identity: Identity
  logger: Logger
  schemas: SchemaMap
}

/**
 * The receiving half of a channel: keeps the frames that are the channel's own, parses them, checks
 * them against their schema in arrival order, and dispatches them by `type` and to any-type
 * handlers. Handlers run inside try/catch; what goes wrong goes to `report`. Per message it allocates
 * the meta object and nothing else of its own (see HandlerList).
 */
export class Inbox {
  readonly #typed = new Map<string, HandlerList<Deliver>>()
  readonly #any = new HandlerList<Deliver>()
  readonly #name: string
  readonly #prefix: string
  readonly #prefixLength: number
  readonly #config: InboxConfig
  // The schemas by type, undefined without any: one lookup per message.
  readonly #schemas: Map<unknown, StandardSchemaV1> | undefined
  readonly #report: (error: SwitchboardError) => void
  // Messages behind an asynchronous schema wait for it, to keep their order.
  readonly #order = new InOrder((error) => this.#report(new ListenerError('Dispatch failed', error)))

  constructor(name: string, config: InboxConfig, report: (error: SwitchboardError) => void) {
    this.#name = name
    this.#prefix = `${name}:`
    this.#prefixLength = name.length + 1
    this.#config = config
    const schemas = Object.entries(config.schemas)
    this.#schemas = schemas.length > 0 ? new Map(schemas) : undefined
    this.#report = report
  }

  /** Adds a handler for `type`; with schemas, `type` must have one. */
  _on(type: string, handler: MessageHandler, filter: MessageFilter | undefined): Unsubscribe {
    if (typeof type !== 'string' || type === '*') {
      throw new UsageError(`Bad type ${JSON.stringify(type)}: use onAny() for all`)
    }
    if (this.#schemas && !this.#schemas.has(type)) {
      throw new UsageError(`No schema for "${type}"`)
    }
    const wrapped = this.#wrap(handler, filter, `handler for "${type}"`)
    let list = this.#typed.get(type)
    if (!list) this.#typed.set(type, (list = new HandlerList()))
    return list._add(wrapped)
  }

  _onAny(handler: MessageHandler, filter: MessageFilter | undefined): Unsubscribe {
    return this.#any._add(this.#wrap(handler, filter, 'any-type handler'))
  }

  /** Drops every handler: the channel closed. */
  _clear(): void {
    for (const list of this.#typed.values()) list._all = []
    this.#any._all = []
  }

  /**
   * A frame from the socket: `id` its message id on a resuming connection, `serverTime` the id's time,
   * `receivedAt` when it arrived.
   */
  _receive(data: unknown, id: MessageId | undefined, receivedAt: number, serverTime?: number): void {
    if (typeof data !== 'string') {
      this.#report(new ProtocolError('BINARY_FRAME', 'Binary frame ignored', this.#name, '[binary]'))
      return
    }
    // The first-colon split, done as a prefix test: no channel name has a colon, so a frame is this
    // channel's exactly when it starts with "<name>:" (a bare 'ping' or another channel's frame does not).
    // lastIndexOf from 0 looks at the front only, and is faster than startsWith in V8.
    if (data.lastIndexOf(this.#prefix, 0) !== 0) {
      this.#config.logger.debug('ignored frame', data)
      return
    }
    // Parsed here rather than through frame.ts's parseBody: no result object per message.
    let payload: Payload
    try {
      payload = JSON.parse(data.slice(this.#prefixLength)) as Payload
    } catch (error) {
      this.#report(new ProtocolError('INVALID_JSON', `Invalid JSON: ${(error as Error).message}`, this.#name, data))
      return
    }
    if (!isPayload(payload)) {
      this.#report(new ProtocolError('NOT_AN_OBJECT', 'Not a JSON object', this.#name, data))
      return
    }
    // Always the same five keys, so that every meta object has one shape.
    const meta: MessageMeta = { channel: this.#name, raw: data, receivedAt, id, serverTime }
    const schema = this.#schemas?.get(payload.type)
    // A step waits only behind an asynchronous schema's: otherwise it runs here, with no closure.
    if (this.#order._waiting) {
      this.#order._run(() => (schema ? this.#check(schema, payload, meta) : this.#dispatch(payload, meta, !this.#schemas)))
      return
    }
    if (!schema) return this.#dispatch(payload, meta, !this.#schemas)
    const pending = this.#check(schema, payload, meta)
    if (pending) this.#order._run(() => pending)
  }

  #check(schema: StandardSchemaV1, payload: Payload, meta: MessageMeta): void | Promise<void> {
    const result = validate(schema, payload)
    return result instanceof Promise ? result.then((done) => this.#accept(done, payload, meta)) : this.#accept(result, payload, meta)
  }

  #accept(result: Validation, payload: Payload, meta: MessageMeta): void {
    if (!result.issues) {
      this.#dispatch(result.value, meta, true)
      return
    }
    const type = String(payload.type)
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
    const { type } = payload
    if (typed && typeof type === 'string') {
      const handlers = this.#typed.get(type)?._all
      if (handlers) for (let i = 0; i < handlers.length; i++) handlers[i]?.(payload, meta)
    }
    const any = this.#any._all
    for (let i = 0; i < any.length; i++) any[i]?.(payload, meta)
  }

  #wrap(handler: MessageHandler, filter: MessageFilter | undefined, what: string): Deliver {
    const matches = compileFilter(filter, this.#config.identity.participantId?.toString())
    // The try/catch is written out here rather than through a shared helper, which would cost a closure per message.
    return (payload, meta) => {
      try {
        if (matches(payload)) handler(payload, meta)
      } catch (error) {
        this.#report(listenerFailed(what, error))
      }
    }
  }
}
