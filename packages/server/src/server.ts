import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { resolveAddressLimits } from './access/address-limits.js'
import type { AddressLimits } from './access/address-limits.js'
import { ChannelAccess } from './access/channel-access.js'
import { ChannelRuleSet } from './access/channel-rules.js'
import type { ChannelPreset, ChannelRules } from './access/channel-rules.js'
import { loadChannelRules } from './access/channel-rules-source.js'
import { Credentials } from './access/credentials.js'
import type { Limits } from './access/limits.js'
import { hostAllowed } from './access/hosts.js'
import type { AllowedHosts } from './access/hosts.js'
import type { AllowedOrigins } from './access/origins.js'
import { RoomMembership } from './access/rooms.js'
import { ChannelStarts } from './resume/channel-starts.js'
import { Presence } from './resume/presence.js'
import type { PresenceLimits } from './resume/presence.js'
import type { Broker } from './broker/broker.js'
import { MemoryBroker } from './broker/memory-broker.js'
import type { Experiment } from './experiment/experiment.js'
import { ExperimentHost } from './experiment/experiment-host.js'
import { ConnectionGuard } from './http/connection-guard.js'
import { FrontProxy, OWN_PREFIX } from './http/front-proxy.js'
import { createHttpHandler } from './http/handler.js'
import { createLog } from './log.js'
import type { Log } from './log.js'
import { RELAY_CLOSE } from './protocol/close-codes.js'
import { isChat } from './relay/chat-url.js'
import { ChatRelay } from './relay/relay.js'
import { ParticipantStore } from './state/participants.js'
import { MemoryState } from './state/shared-state.js'
import { DASHBOARD_DIR, chartsDir, clientDist } from './assets.js'
import { Observers } from './observers.js'
import type { SharedState } from './state/shared-state.js'

export interface ServerOptions {
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
  /** The experiment's server side, if it has one. @default none: the server relays only */
  experiment?: Experiment
  /**
   * Run the experiment in this process. With several processes on one Redis, exactly one runs it.
   * @default true
   */
  runExperiment?: boolean
  /** Let sockets without a credential in, bound to the participant_id they claim (stock Dallinger pages). @default false */
  allowAnonymous?: boolean
  /**
   * Host names the server answers besides the loopback names, for `/chat` and every HTTP endpoint
   * (other `Host` headers get 421), or '*' for any. Protects against DNS rebinding.
   * @default none: localhost, 127.0.0.1 and [::1] only
   */
  allowedHosts?: AllowedHosts
  /** Page origins allowed to connect and to call the endpoints (CORS) besides the server's own, or '*'. @default none */
  allowedOrigins?: AllowedOrigins
  /**
   * Who may use which channel: rules, a preset's name, or rules already loaded (`loadChannelRules`).
   * @default the experiment's `channelRules`, else the `standard` preset
   */
  channelRules?: ChannelRules | ChannelPreset | ChannelRuleSet
  /** Connection limits, per socket and participant (`Limits`) and per source address (`AddressLimits`); see each for its default. */
  limits?: Partial<Limits & AddressLimits>
  /**
   * The number of reverse proxies in front of the server. Behind them, a request's source address (for
   * the per-address limits) is the X-Forwarded-For entry that many hops from the right, the one the
   * outermost proxy appended; without, the socket's peer. Set it only behind proxies that append to
   * X-Forwarded-For, or anyone can claim any address.
   * @default 0
   */
  trustProxy?: number
  /** @default 25000 */
  pingIntervalMs?: number
  /**
   * Keep the session's record (every message stored, presence and connection events) as JSON lines in
   * this folder, a file per process. @default none (unless `databaseUrl`)
   */
  recordDir?: string
  /** Keep the session's record in PostgreSQL, in the table `switchboard_record`; wins over `recordDir`. @default none */
  databaseUrl?: string
  /** The operator's token, which `GET /export` and `/dashboard` ask for. @default none: both are off */
  operatorToken?: string
  /** The secret credentials are signed with. @default SWITCHBOARD_SECRET, else one kept in the shared state */
  secret?: string
  /**
   * Front proxy (Dallinger mode): every request and WebSocket upgrade but `/chat` and `/switchboard/…`
   * (this server's own endpoints, under that prefix) goes to this origin unchanged, e.g. `dallinger debug`'s.
   * @default none: this server answers every path itself
   */
  proxyTo?: string
  /** Presence: the grace period before a participant with no socket on a channel has left, and how processes agree (`PresenceLimits`). */
  presence?: Partial<PresenceLimits>
  /** The experiment's pages, served at `/`. @default none (`/` lists the endpoints) */
  pagesDir?: string
  /** The client bundles served under `/static/`. @default @switchboard/client's dist/static folder */
  clientDistDir?: string
}

export interface Server {
  /** `http://host:port` */
  url: string
  port: number
  broker: Broker
  state: SharedState
  relay: ChatRelay
  participants: ParticipantStore
  credentials: Credentials
  /** Room membership (channels whose rule says `members`). */
  rooms: RoomMembership
  /** The rules in force. */
  channelRules: ChannelRuleSet
  /** Who is on each channel, by participant, over every process. */
  presence: Presence
  /** Test hook: cuts every socket without a close handshake, as a network failure does (clients see 1006). */
  dropConnections(): void
  /** Test hook: a server restart, first half: closes every socket with 1012 and stops listening. State is kept. */
  stopListening(): Promise<void>
  /** Test hook: a server restart, second half: listens again on the same port. */
  listenAgain(): Promise<void>
  /** Closes every socket with 1001, stops the experiment, the listener and the broker. */
  close(): Promise<void>
}

/**
 * Starts a Switchboard server: the `/chat` relay, the Dallinger-shaped HTTP endpoints and, when given,
 * the experiment's server side.
 * @example
 * const server = await startServer({ port: 5000, channelRules: 'dallinger', allowAnonymous: true })
 */
export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const log = options.log ?? createLog()
  const broker = options.broker ?? new MemoryBroker({ onListenerError: (error, channel) => log('error', 'broker.listener_failed', { channel, error }) })
  const state = options.state ?? new MemoryState()
  const participants = new ParticipantStore(state)
  const credentials = await Credentials.load(state, options.secret ?? process.env.SWITCHBOARD_SECRET)
  const rooms = new RoomMembership(state)
  const starts = new ChannelStarts(broker, state)
  const presence = new Presence(broker, log, options.presence)
  await presence.start()
  const channelRules = options.channelRules
    ? ruleSet(options.channelRules, 'the channelRules option')
    : ruleSet(options.experiment?.channelRules ?? 'standard', "the experiment's channelRules")
  const observers: Observers = new Observers({
    recordDir: options.recordDir,
    databaseUrl: options.databaseUrl,
    operatorToken: options.operatorToken,
    broker,
    presence,
    log,
    state,
    sockets: () => relay.size,
    plainGaps: () => relay.plainGaps,
  })
  const relay = new ChatRelay({
    broker,
    log,
    access: new ChannelAccess(channelRules, rooms),
    admission: { credentials, allowAnonymous: options.allowAnonymous ?? false, operatorToken: options.operatorToken, ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}) },
    onEvent: observers.relayEvent,
    starts,
    presence,
    refreshState: () => state.refresh(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
  })
  await observers.start()
  state.onReset((identity) => {
    credentials.adopt(identity)
    relay.closeLost(identity.epochMs)
  })
  const addressLimits = resolveAddressLimits(options.limits)
  const guard = new ConnectionGuard({ limits: addressLimits, trustProxy: options.trustProxy ?? 0, log, onRefused: (status) => observers.httpRefusal(status) })
  const runExperiment = options.experiment !== undefined && (options.runExperiment ?? true)
  const host = options.experiment && new ExperimentHost(broker, options.experiment, state, rooms, starts, log, presence)
  if (host && runExperiment) await host.start()

  const http = createHttpHandler({
      participants,
      credentials,
      // Its private channels begin with it: what is sent there before its socket is up waits for it.
      created: async (participant) => void (await Promise.all(channelRules.ownedBy(participant.id).map((channel) => starts.mark(channel)))),
      exportRecord: observers.exportRecord,
      timeline: () => observers.timeline(),
      operatorToken: options.operatorToken,
      dashboardDir: DASHBOARD_DIR,
      chartsDir: chartsDir(),
      status: () => ({ epoch: credentials.epochMs, sockets: relay.size, plainGaps: relay.plainGaps, participants: presence.qualities(), record: observers.status(), connections: guard.size, broker: broker.status(), experiment: runExperiment }),
      log,
      pagesDir: options.pagesDir,
      clientDistDir: options.clientDistDir ?? clientDist(),
      allowedOrigins: options.allowedOrigins,
      mint: (request) => guard.mint(request),
  })
  // This server's endpoints also under /switchboard/ (behind a proxy that routes that prefix here); with
  // the front proxy, only there and at /chat, every other path going to PROXY_TO.
  const proxy = options.proxyTo === undefined ? undefined : new FrontProxy(options.proxyTo, log)
  const front = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://switchboard').pathname
    if (path.startsWith(`${OWN_PREFIX}/`)) request.url = (request.url ?? '/').slice(OWN_PREFIX.length)
    else if (proxy && path !== '/chat') return proxy.request(request, response)
    void http(request, response)
  }
  const misdirected = (host: string | undefined) => {
    log('warn', 'http.host_refused', { host })
    return `Switchboard answers only the host names it is configured for (ALLOWED_HOSTS), not ${host ?? 'a request without Host'}\n`
  }
  // Node checks headersTimeout and requestTimeout on this interval (30 s unless told), so it must be shorter.
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, addressLimits.handshakeTimeoutMs) }, (request, response) => {
    if (!guard.request(request)) return
    if (hostAllowed(request.headers.host, options.allowedHosts)) return void front(request, response)
    response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' })
    response.end(misdirected(request.headers.host))
  })
  guard.attach(server)
  const upgradeError = (error: Error) => log('debug', 'socket.upgrade_error', { error }) // one for all, not a closure each
  server.on('upgrade', (request, socket, head) => {
    // Node has taken its own error listener off an upgrading socket: without one, a client that resets
    // the connection while we answer it would crash the process.
    socket.on('error', upgradeError)
    if (!guard.upgrade(request, socket)) return
    if (!hostAllowed(request.headers.host, options.allowedHosts)) return void socket.end(`HTTP/1.1 421 Misdirected Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${misdirected(request.headers.host)}`)
    if (isChat(request.url)) {
      relay.handleUpgrade(request, socket, head)
      // ws listens for the socket's errors itself from here on (in its handshake, then its WebSocket), and quietly: ours, which logged them at debug, goes, or each idle socket keeps two and an array.
      if (socket.listenerCount('error') > 1) socket.off('error', upgradeError)
    } else if (proxy) proxy.upgrade(request, socket, head)
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
  log('info', 'server.listening', { port, experiment: runExperiment })
  const bundles = options.clientDistDir ?? clientDist()
  if (!existsSync(join(bundles, 'switchboard.iife.js'))) log('warn', 'server.no_client_bundles', { dir: bundles, note: '/static/ will answer 404: build @switchboard/client' })

  let closing: Promise<void> | undefined
  return {
    url: `http://${hostname}:${port}`,
    port,
    broker,
    state,
    relay,
    participants,
    credentials,
    rooms,
    channelRules,
    presence,
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
        host?.stop()
        // Where the experiment stopped reading is stored before it goes, so a restart goes on from there
        // (a second at most: a Redis that does not answer must not hold up the shutdown).
        if (host) await Promise.race([host.flushed(), new Promise((resolve) => setTimeout(resolve, 1000))])
        presence.stop()
        // The record's last batch, within 2 s: a database that hangs must not hold up the shutdown.
        await Promise.race([observers.close(), new Promise((resolve) => setTimeout(resolve, 2000).unref())])
        guard.stop()
        if (server.listening) await stopListening()
        await broker.close()
      })()),
  }
}

function ruleSet(rules: ChannelRules | ChannelPreset | ChannelRuleSet, source: string): ChannelRuleSet {
  if (rules instanceof ChannelRuleSet) return rules
  if (typeof rules === 'string') return loadChannelRules(rules)
  return new ChannelRuleSet(rules, source)
}
