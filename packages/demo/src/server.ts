import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Broker } from './broker.js'
import { ChatExperiment } from './chat-experiment.js'
import { ExperimentHost } from './experiment-host.js'
import { createHttpHandler } from './http.js'
import { createLog } from './log.js'
import type { Log } from './log.js'
import { MemoryBroker } from './memory-broker.js'
import { ParticipantStore } from './participants.js'
import { ChatRelay, RELAY_CLOSE } from './relay.js'
import { ChannelAccess } from './access.js'
import type { ChannelRules } from './access.js'
import { Credentials } from './credentials.js'
import type { Limits } from './limits.js'
import { MemoryState } from './shared-state.js'
import type { SharedState } from './shared-state.js'

export interface DemoServerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** @default JSON lines on stderr at 'info' */
  log?: Log
  /** @default a new in-memory broker */
  broker?: Broker
  /** State shared by every process of the experiment. @default a new in-memory state */
  state?: SharedState
  /**
   * Run the experiment in this process. With several processes on one Redis, exactly one runs it.
   * @default true
   */
  runExperiment?: boolean
  /** Let sockets without a credential in, bound to the participant_id they claim (stock Dallinger pages). @default false */
  allowAnonymous?: boolean
  /** Page origins allowed to connect, or '*'. @default the server's own origin */
  allowedOrigins?: readonly string[] | '*'
  /** Channels anyone may use, besides private channels and rooms. @default the experiment's own rules */
  channelRules?: ChannelRules
  /** Connection limits (see Limits for each default). */
  limits?: Partial<Limits>
  /** @default 25000 */
  pingIntervalMs?: number
  /** @default packages/demo/dist/pages */
  pagesDir?: string
  /** @default packages/client/dist */
  clientDistDir?: string
}

export interface DemoServer {
  /** `http://host:port` */
  url: string
  port: number
  broker: Broker
  state: SharedState
  relay: ChatRelay
  experiment: ChatExperiment
  participants: ParticipantStore
  credentials: Credentials
  /** Test hook: cuts every socket without a close handshake, as a network failure does (clients see 1006). */
  dropConnections(): void
  /** Test hook: a server restart, first half: closes every socket with 1012 and stops listening. State is kept. */
  stopListening(): Promise<void>
  /** Test hook: a server restart, second half: listens again on the same port. */
  listenAgain(): Promise<void>
  close(): Promise<void>
}

/** Starts the demo: HTTP pages and endpoints, the `/chat` relay and the chat experiment. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const log = options.log ?? createLog()
  const broker = options.broker ?? new MemoryBroker({ onListenerError: (error, channel) => log('error', 'broker.listener_failed', { channel, error }) })
  const state = options.state ?? new MemoryState()
  const participants = new ParticipantStore(state)
  const credentials = await Credentials.load(state)
  const experiment = new ChatExperiment()
  const relay = new ChatRelay({
    broker,
    log,
    access: new ChannelAccess(options.channelRules ?? experiment.channelRules, state),
    admission: { credentials, allowAnonymous: options.allowAnonymous ?? false, ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}) },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
  })
  const host = new ExperimentHost(broker, experiment, state, log)
  if (options.runExperiment ?? true) await host.start()

  const server = createServer(
    createHttpHandler({
      participants,
      credentials,
      status: () => ({ sockets: relay.size, broker: broker.status(), experiment: options.runExperiment ?? true }),
      log,
      pagesDir: options.pagesDir ?? fileURLToPath(new URL('../dist/pages', import.meta.url)),
      clientDistDir: options.clientDistDir ?? fileURLToPath(new URL('../../client/dist', import.meta.url)),
    }),
  )
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://demo').pathname === '/chat') relay.handleUpgrade(request, socket, head)
    else socket.destroy()
  })
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  await listen(options.port ?? 0)
  const { port } = server.address() as AddressInfo
  const hostname = options.host === undefined || options.host === '127.0.0.1' || options.host === '0.0.0.0' ? 'localhost' : options.host
  log('info', 'server.listening', { port })

  let closing: Promise<void> | undefined
  return {
    url: `http://${hostname}:${port}`,
    port,
    broker,
    state,
    relay,
    experiment,
    participants,
    credentials,
    dropConnections: () => relay.dropAll(),
    stopListening: async () => {
      log('info', 'server.restarting', { port })
      relay.closeAll(RELAY_CLOSE.restart.code, RELAY_CLOSE.restart.reason)
      await stopListening()
    },
    listenAgain: () => listen(port),
    close: () =>
      (closing ??= (async () => {
        await relay.close()
        host.stop()
        if (server.listening) await stopListening()
        await broker.close()
      })()),
  }
}
