import { Channel } from './channel.js'
import { buildChatUrl, defaultEndpoint } from './chat-url.js'
import { UsageError } from './errors.js'
import { assertChannelName } from './frame.js'
import type { Identity } from './identity.js'
import { idOrUndefined, requireParticipantId, resolveIdentity } from './identity.js'
import { makeLogger } from './logger.js'
import { CONNECTION_DEFAULTS, defaultShouldReconnect } from './options.js'
import type { ConnectionOptions, LifecycleTarget, WebSocketConstructor } from './options.js'
import { OutboxStore } from './outbox-store.js'
import type { OutboxStorage } from './outbox-store.js'
import { Chatrooms } from './rooms.js'
import type { ChatroomOptions } from './rooms.js'
import type { NoSchemas, SchemaMap } from './schema.js'

/** Options for a channel: connection options plus its message schemas. */
export interface ChannelOptions<S extends SchemaMap = NoSchemas> extends ConnectionOptions {
  /**
   * Schemas by message `type` (Standard Schema: zod 4, valibot, arktype…). Handlers are typed by them,
   * incoming messages that fail are reported and not dispatched, types without a schema reach `onAny` only.
   * @default {} (no validation; every type dispatched as a plain payload)
   */
  schemas?: S
  /**
   * Check outgoing messages against their type's schema; one that fails is refused and reported.
   * @default true
   */
  validateOutgoing?: boolean
}

/** Options for {@link createClient}; each can be overridden per channel in `openChannel`. */
export type ClientOptions<S extends SchemaMap = NoSchemas> = ChannelOptions<S>

/** The private channel of a participant, as Dallinger names it. */
export function privateChannelName(participantId: string | number): string {
  return `participant_${participantId}_channel`
}

/** Opens channels that share options, schemas and identity. Create one per page with {@link createClient}. */
export class Client<S extends SchemaMap = NoSchemas> {
  readonly #options: ClientOptions<S>
  // Channels of any schema map; each is handed back with the type it was opened with.
  readonly #channels = new Map<string, { close(): void }>()

  constructor(options: ClientOptions<S> = {}) {
    this.#options = options
  }

  /** The identity channels opened now would use. */
  get identity(): Identity {
    return resolveIdentity(this.#options.identity)
  }

  /**
   * Opens `name` on its own socket (as Dallinger does: one channel per socket) and returns its channel.
   * While a channel of that name is not closed, the same object is returned. A name is letters,
   * digits, `_`, `-` and `.`; any other name throws a UsageError at once (Dallinger splits frames at
   * the first `:`).
   * @example
   * const broadcast = client.openChannel('broadcast_channel')
   * broadcast.on('chat', (msg) => console.log(msg.text))
   */
  openChannel<T extends SchemaMap = S>(name: string, options: ChannelOptions<T> = {}): Channel<T> {
    // Before anything else, so a bad name is the error reported, and no socket is made for it.
    assertChannelName(name)
    const existing = this.#channels.get(name)
    if (existing) return existing as Channel<T>
    const merged = { ...this.#options, ...options } as ChannelOptions<T>
    const identity = resolveIdentity(merged.identity)
    const storage = merged.outboxStorage === undefined ? pageStorage() : merged.outboxStorage
    const channel = new Channel<T>(name, {
      identity,
      logger: makeLogger(merged.logger, merged.debug),
      schemas: merged.schemas ?? ({} as T),
      _validateOutgoing: merged.validateOutgoing ?? true,
      onClosed: () => this.#channels.delete(name),
      transport: {
        ...CONNECTION_DEFAULTS,
        shouldReconnect: defaultShouldReconnect,
        ...merged,
        url: buildChatUrl(merged.url ?? defaultEndpoint(), name, identity, { ...merged.params, token: merged.credential }),
        WebSocket: merged.WebSocket ?? globalWebSocket(),
        lifecycle: merged.lifecycle === undefined ? pageLifecycle() : (merged.lifecycle ?? undefined),
        outboxStore: storage ? new OutboxStore(storage, name, idOrUndefined(identity.participantId)) : undefined,
      },
    })
    this.#channels.set(name, channel)
    return channel
  }

  /**
   * Opens this participant's private channel, `participant_<id>_channel`.
   * Throws a UsageError when there is no participant id.
   */
  openPrivateChannel<T extends SchemaMap = S>(options: ChannelOptions<T> = {}): Channel<T> {
    const id = requireParticipantId(resolveIdentity(options.identity ?? this.#options.identity), 'openPrivateChannel()')
    return this.openChannel(privateChannelName(id), options)
  }

  /**
   * Follows room announcements on `broadcast`: opens each chatroom that lists this participant (once),
   * and closes it when a `close_chatroom` message names it.
   * @example
   * const rooms = sb.joinChatrooms(broadcast)
   * rooms.onJoin((room) => room.on('chat', show))
   */
  joinChatrooms<T extends SchemaMap>(broadcast: Channel<T>, options: ChatroomOptions = {}): Chatrooms<T> {
    const id = requireParticipantId(broadcast.identity, 'joinChatrooms()')
    return new Chatrooms(broadcast, id, (name) => this.openChannel<T>(name), options)
  }

  /** The open (not closed) channel called `name`, if any. */
  channel(name: string): Channel<S> | undefined {
    return this.#channels.get(name) as Channel<S> | undefined
  }

  /** Closes every channel of this client. */
  close(): void {
    for (const channel of [...this.#channels.values()]) channel.close()
  }
}

/**
 * A client for this page.
 * @example
 * const sb = createClient({ schemas: { chat: ChatSchema } })
 * const broadcast = sb.openChannel('broadcast_channel')
 * broadcast.on('chat', (msg) => msg.text) // typed from ChatSchema
 */
export function createClient<S extends SchemaMap = NoSchemas>(options: ClientOptions<S> = {}): Client<S> {
  return new Client(options)
}

let defaultClient: Client | undefined

/**
 * Opens a channel on a default client (identity from `window.dallinger.identity`, the page's `/chat`).
 * @example
 * const broadcast = openChannel('broadcast_channel')
 */
export function openChannel<T extends SchemaMap = NoSchemas>(name: string, options?: ChannelOptions<T>): Channel<T> {
  defaultClient ??= createClient()
  return defaultClient.openChannel(name, options)
}

/** The page's `window` when there is one (a browser), else nothing (Node). */
function pageLifecycle(): LifecycleTarget | undefined {
  const page = globalThis as Partial<LifecycleTarget> & { document?: unknown }
  return typeof page.addEventListener === 'function' && page.document !== undefined ? (page as LifecycleTarget) : undefined
}

/** The tab's sessionStorage in a browser; none in Node (or where the page may not use it, as in a sandboxed frame). */
function pageStorage(): OutboxStorage | undefined {
  if (!pageLifecycle()) return undefined
  try {
    return (globalThis as { sessionStorage?: OutboxStorage }).sessionStorage
  } catch {
    return undefined
  }
}

function globalWebSocket(): WebSocketConstructor {
  const ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!ctor) throw new UsageError('No WebSocket: pass { WebSocket }')
  return ctor
}
