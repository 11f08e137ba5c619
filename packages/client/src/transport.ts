import ReconnectingWebSocket from 'reconnecting-websocket'
import type { CloseEvent as SocketCloseEvent } from 'reconnecting-websocket'
import { backoffDelay } from './backoff.js'
import { endPhase, publicState } from './connection-phase.js'
import type { Phase } from './connection-phase.js'
import { assertNever } from './connection-state.js'
import type { ConnectionState, StateChange } from './connection-state.js'
import { ConnectionError, ListenerError, SendError } from './errors.js'
import type { SwitchboardError } from './errors.js'
import type { Logger } from './logger.js'
import type { CloseInfo, LifecycleTarget, WebSocketConstructor } from './options.js'
import type { MessageId } from './message-id.js'
import { Outbox } from './outbox.js'
import { Receipt } from './receipt.js'
import { Resume } from './resume.js'
import type { Gap } from './resume.js'

export interface TransportConfig {
  url: string
  WebSocket: WebSocketConstructor
  minDelayMs: number
  maxDelayMs: number
  connectTimeoutMs: number
  maxAttempts: number
  outboxLimit: number
  resume: boolean
  helloTimeoutMs: number
  shouldReconnect: (close: CloseInfo) => boolean
  lifecycle: LifecycleTarget | undefined
  logger: Logger
  random?: () => number
}

export interface TransportHandlers {
  _onState(change: StateChange): void
  _onFrame(data: unknown, id?: MessageId): void
  _onGap(gap: Gap): void
  _onError(error: SwitchboardError): void
}

type Announcement = Omit<StateChange, 'prev' | 'next' | 'attempt'>

// Longest delay setTimeout accepts; the library's own connect timeout is disabled with it.
const MAX_TIMER_MS = 2 ** 31 - 1
const OPEN = 1

/**
 * One reconnecting socket. The only module that touches `reconnecting-websocket`: the library
 * supplies the socket lifecycle, while backoff, connect timeout, outbox and state are ours, because
 * the library computes jitter once per page, flushes its queue before open handlers run and drops
 * what does not fit. With the resume extension (`Resume`), each socket asks for it in its URL, opens
 * once the server says hello (or falls back to the plain protocol), re-sends what was not
 * acknowledged, and hands on each message once. Where it stands is one {@link Phase}, changed by `#set`.
 */
export class Transport {
  // Until the library asks for the first URL, on its zero-delay turn.
  #phase: Phase = { _name: 'connecting', _state: 'connecting' }
  #attempt = 0
  readonly #outbox: Outbox
  readonly #resume: Resume
  readonly #socket: ReconnectingWebSocket

  readonly #config: TransportConfig
  readonly #handlers: TransportHandlers

  constructor(config: TransportConfig, handlers: TransportHandlers) {
    this.#config = config
    this.#handlers = handlers
    this.#outbox = new Outbox(config.outboxLimit)
    this.#resume = new Resume(config.resume)
    // The library's delays are zeroed (ours come from the URL provider), its connect timeout is off,
    // and its queue holds nothing; it retries forever by default.
    this.#socket = new ReconnectingWebSocket(() => this.#nextUrl(), undefined, {
      WebSocket: config.WebSocket,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: MAX_TIMER_MS,
      maxEnqueuedMessages: 0,
    })
    this.#socket.addEventListener('open', this.#handleOpen)
    this.#socket.addEventListener('close', this.#handleClose)
    this.#socket.addEventListener('message', this.#handleMessage)
    this.#listenToPage('addEventListener')
  }

  get state(): ConnectionState {
    return publicState(this.#phase)
  }

  /**
   * Sends now when open, else queues; frames go out in the order of `send()` calls, and never before
   * the open handlers ran. With the resume extension, each is held until acknowledged.
   */
  send(frame: string): Receipt {
    if (this.#phase._name === 'closed') return this.#refuse(new SendError('CHANNEL_CLOSED', 'Channel closed', [frame]))
    const receipt = this.#outbox._push(frame)
    if (!receipt) return this.#refuse(new SendError('OUTBOX_FULL', `Outbox full (${this.#outbox._limit})`, [frame]))
    if (this.#phase._name === 'open') this.#flush()
    return receipt
  }

  /** Final and idempotent: stops reconnecting and reports any queued frames it discards. */
  close(): void {
    if (this.#phase._name === 'closed') return
    this.#set({ _name: 'closed' }, { reason: 'closed' })
    this.#shutdown()
  }

  #refuse(error: SendError): Receipt {
    this.#handlers._onError(error)
    return new Receipt(error)
  }

  /** Called by the library before each attempt: our backoff, and no attempt while offline or suspended. */
  async #nextUrl(): Promise<string> {
    const phase = this.#phase
    if (phase._name === 'waiting' && phase._delayMs > 0) await this.#pause(phase._delayMs)
    while (this.#active() && this.#config.lifecycle?.navigator?.onLine === false) await this.#pause(undefined, { reason: 'offline' })
    if (this.#active()) {
      this.#config.logger.debug('connecting', this.#config.url)
      // 'connecting' until the first change is announced.
      const state = this.state === 'connecting' ? 'connecting' : 'reconnecting'
      this.#set({ _name: 'connecting', _state: state, _timer: setTimeout(this.#handleConnectTimeout, this.#config.connectTimeoutMs) })
    }
    return this.#resume._url(this.#config.url, this.#outbox._firstSeq)
  }

  /** Waits `ms`, or until `online`, `close()` or `pagehide` end the wait (forever without `ms`). */
  #pause(ms: number | undefined, change?: Announcement): Promise<void> {
    return new Promise((resolve) => {
      // Once the time is up, nothing is left for `online` to cut short.
      const timer = ms === undefined ? undefined : setTimeout(() => this.#set({ _name: 'waiting', _delayMs: 0 }), ms)
      this.#set({ _name: 'waiting', _delayMs: 0, _timer: timer, _wake: resolve }, change)
    })
  }

  #active(): boolean {
    return this.#phase._name !== 'closed' && this.#phase._name !== 'suspended'
  }

  readonly #handleConnectTimeout = (): void => {
    const phase = this.#phase
    if (phase._name !== 'connecting') return
    this.#config.logger.debug('connect timeout')
    // The library dispatches the close of the abandoned socket from inside reconnect(): a timeout.
    this.#set({ _name: 'connecting', _state: phase._state, _timedOut: true })
    this.#socket.reconnect()
  }

  readonly #handleOpen = (): void => {
    const phase = this.#phase
    // Only the socket being connected counts: one released by close() or pagehide is ignored.
    if (phase._name !== 'connecting') return
    this.#attempt = 0
    if (!this.#resume._asked) return this.#opened()
    this.#set({ _name: 'negotiating', _state: phase._state, _timer: setTimeout(this.#fallBack, this.#config.helloTimeoutMs) })
  }

  /** Ready to send: re-sends what the server has not acknowledged, announces `open`, then writes the queue. */
  #opened(): void {
    this.#outbox._rewind()
    this.#flush(true)
    this.#set({ _name: 'announcing' }, { reason: 'opened' })
    // An open handler may have closed the channel, or the page may have been hidden.
    if (this.#phase._name !== 'announcing') return
    this.#set({ _name: 'open' })
    this.#flush()
  }

  /** No hello: a plain (Dallinger) server. Asked no more; nothing will be acknowledged. */
  readonly #fallBack = (): void => {
    this.#config.logger.debug('plain server')
    this.#resume._mode = 'off'
    this.#outbox._forgetWritten()
    this.#opened()
  }

  readonly #handleClose = (event: SocketCloseEvent): void => {
    const phase = this.#phase
    if (!this.#active()) return
    const close: CloseInfo = { code: event.code, reason: event.reason ?? '' }
    const timedOut = phase._name === 'connecting' && phase._timedOut === true
    const refused = !timedOut && !this.#wantsReconnect(close)
    if (refused || this.#attempt >= this.#config.maxAttempts) {
      const error = refused
        ? new ConnectionError(`Refused: close ${close.code} ${close.reason}`, close.code, close.reason)
        : new ConnectionError(`Gave up after ${this.#attempt} attempts (close ${close.code})`, close.code, close.reason, 'CONNECTION_GAVE_UP')
      this.#set({ _name: 'closed' }, { reason: refused ? 'refused' : 'gave-up', close, error })
      this.#shutdown()
      this.#handlers._onError(error)
      return
    }
    this.#attempt += 1
    const delayMs = backoffDelay(this.#attempt, this.#config, this.#config.random)
    this.#set({ _name: 'waiting', _delayMs: delayMs }, { reason: timedOut ? 'timeout' : 'lost', close, delayMs })
  }

  readonly #handleOnline = (): void => {
    const phase = this.#phase
    if (phase._name !== 'waiting' || !(phase._wake || phase._delayMs > 0)) return
    this.#set({ _name: 'waiting', _delayMs: 0 }, { reason: 'online', delayMs: 0 })
  }

  /** Releases the socket when the page enters the back/forward cache, which an open socket would prevent. */
  readonly #handlePageHide = (event: Event): void => {
    if (!(event as PageTransitionEvent).persisted || !this.#active()) return
    this.#set({ _name: 'suspended' }, { reason: 'suspended' })
    this.#socket.close(1000, 'page hidden')
  }

  readonly #handlePageShow = (event: Event): void => {
    if (!(event as PageTransitionEvent).persisted || this.#phase._name !== 'suspended') return
    this.#attempt = 0
    // Still suspended while the library reconnects, so the close it may dispatch for the old socket is ignored.
    this.#socket.reconnect()
    this.#set({ _name: 'waiting', _delayMs: 0 }, { reason: 'resumed', delayMs: 0 })
  }

  #listenToPage(method: 'addEventListener' | 'removeEventListener'): void {
    const target = this.#config.lifecycle
    if (!target) return
    target[method]('online', this.#handleOnline)
    target[method]('pagehide', this.#handlePageHide)
    target[method]('pageshow', this.#handlePageShow)
  }

  readonly #handleMessage = ({ data }: MessageEvent): void => {
    if (!this.#resume._asked || typeof data !== 'string') return this.#handlers._onFrame(data)
    const frame = this.#resume._read(data)
    const negotiating = this.#phase._name === 'negotiating'
    if (frame.type === 'hello') {
      // Also after the hello timeout: a slow server that has the extension gets it from here on.
      this.#resume._mode = 'on'
      if (negotiating) this.#opened()
      return
    }
    // A server with the extension says hello first: this one does not have it.
    if (negotiating) this.#fallBack()
    switch (frame.type) {
      case 'message':
        return this.#handlers._onFrame(frame.frame, frame.id)
      case 'ack':
        return this.#outbox._acknowledge(frame.seq)
      case 'gap':
        return this.#handlers._onGap({ since: frame.since, last: frame.last })
      case 'duplicate':
        return
      default:
        return assertNever(frame)
    }
  }

  #wantsReconnect(close: CloseInfo): boolean {
    try {
      return this.#config.shouldReconnect(close)
    } catch (error) {
      this.#handlers._onError(new ListenerError('shouldReconnect threw', error))
      return true
    }
  }

  /** Writes held frames (only re-sends with `resent`) one at a time while the socket stays open: what is left stays, in order. */
  #flush(resent?: boolean): void {
    let more = true
    while (more && this.#socket.readyState === OPEN) more = this.#outbox._writeNext(this.#write, this.#keep(), resent)
  }

  readonly #write = (frame: string): void => this.#socket.send(frame)

  /** Whether written frames are kept until acknowledged. */
  #keep(): boolean {
    return this.#resume._mode === 'on'
  }

  /** Releases the socket; runs once the phase is `closed` (which ended its timers), so the close it causes is ignored. */
  #shutdown(): void {
    this.#listenToPage('removeEventListener')
    this.#socket.close(1000)
    const held = this.#outbox._frames
    if (held.length > 0) {
      const error = new SendError('CHANNEL_CLOSED', `Closed with ${held.length} unacknowledged`, held)
      this.#outbox._fail(error)
      this.#handlers._onError(error)
    }
  }

  /** The one place the phase changes: ends what the phase left owned, then announces `change` if given. */
  #set(next: Phase, change?: Announcement): void {
    const left = this.#phase
    this.#phase = next
    endPhase(left)
    if (!change) return
    const prev = publicState(left)
    const state = publicState(next)
    this.#config.logger.debug(`${prev} → ${state}`, change.reason)
    this.#handlers._onState({ prev, next: state, attempt: this.#attempt, ...change })
  }
}
