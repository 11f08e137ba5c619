import { Channel } from './channel.js'
import { buildChatUrl, defaultEndpoint } from './chat-url.js'
import { UsageError } from './errors.js'
import type { Identity } from './identity.js'
import { resolveIdentity } from './identity.js'
import { makeLogger } from './logger.js'
import { CONNECTION_DEFAULTS, defaultShouldReconnect } from './options.js'
import type { ConnectionOptions, LifecycleTarget, WebSocketConstructor } from './options.js'

/** Options for {@link createClient}; each can be overridden per channel in `openChannel`. */
export type ClientOptions = ConnectionOptions

/** Opens channels that share options and identity. Create one per page with {@link createClient}. */
export class Client {
  private readonly options: ClientOptions
  private readonly channels = new Map<string, Channel>()

  constructor(options: ClientOptions = {}) {
    this.options = options
  }

  /** The identity channels opened now would use. */
  get identity(): Identity {
    return resolveIdentity(this.options.identity)
  }

  /**
   * Opens `name` on its own socket (as Dallinger does: one channel per socket) and returns its channel.
   * While a channel of that name is not closed, the same object is returned.
   * @example
   * const broadcast = client.openChannel('broadcast_channel')
   * broadcast.on('chat', (msg) => console.log(msg.text))
   */
  openChannel(name: string, options: ConnectionOptions = {}): Channel {
    const existing = this.channels.get(name)
    if (existing) return existing
    const merged: ConnectionOptions = { ...this.options, ...options }
    const identity = resolveIdentity(merged.identity)
    const channel = new Channel(name, {
      identity,
      logger: makeLogger(merged.logger, merged.debug),
      onClosed: () => this.channels.delete(name),
      transport: {
        url: buildChatUrl(merged.url ?? defaultEndpoint(), name, identity, merged.params),
        WebSocket: merged.WebSocket ?? globalWebSocket(),
        minDelayMs: merged.minDelayMs ?? CONNECTION_DEFAULTS.minDelayMs,
        maxDelayMs: merged.maxDelayMs ?? CONNECTION_DEFAULTS.maxDelayMs,
        connectTimeoutMs: merged.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs,
        maxAttempts: merged.maxAttempts ?? CONNECTION_DEFAULTS.maxAttempts,
        outboxLimit: merged.outboxLimit ?? CONNECTION_DEFAULTS.outboxLimit,
        shouldReconnect: merged.shouldReconnect ?? defaultShouldReconnect,
        lifecycle: merged.lifecycle === undefined ? pageLifecycle() : (merged.lifecycle ?? undefined),
      },
    })
    this.channels.set(name, channel)
    return channel
  }

  /** The open (not closed) channel called `name`, if any. */
  channel(name: string): Channel | undefined {
    return this.channels.get(name)
  }

  /** Closes every channel of this client. */
  close(): void {
    for (const channel of [...this.channels.values()]) channel.close()
  }
}

/**
 * A client for this page.
 * @example
 * const sb = createClient({ identity: { participantId: 7 } })
 * const broadcast = sb.openChannel('broadcast_channel')
 */
export function createClient(options: ClientOptions = {}): Client {
  return new Client(options)
}

let defaultClient: Client | undefined

/**
 * Opens a channel on a default client (identity from `window.dallinger.identity`, the page's `/chat`).
 * @example
 * const broadcast = openChannel('broadcast_channel')
 */
export function openChannel(name: string, options?: ConnectionOptions): Channel {
  defaultClient ??= createClient()
  return defaultClient.openChannel(name, options)
}

/** The page's `window` when there is one (a browser), else nothing (Node). */
function pageLifecycle(): LifecycleTarget | undefined {
  const page = globalThis as Partial<LifecycleTarget> & { document?: unknown }
  return typeof page.addEventListener === 'function' && page.document !== undefined ? (page as LifecycleTarget) : undefined
}

function globalWebSocket(): WebSocketConstructor {
  const ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!ctor) throw new UsageError("No global WebSocket (Node before 22): pass { WebSocket } from the 'ws' package")
  return ctor
}
