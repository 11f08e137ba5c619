import ReconnectingWebSocket from 'reconnecting-websocket'
import type { CloseEvent as SocketCloseEvent } from 'reconnecting-websocket'
import { backoffDelay } from './backoff.js'
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

// Longest delay setTimeout accepts; the library's own connect timeout is disabled with it.
const MAX_TIMER_MS = 2 ** 31 - 1
const OPEN = 1

/**
 * One reconnecting socket. The only module that touches `reconnecting-websocket`: the library
 * supplies the socket lifecycle, while backoff, connect timeout, outbox and state are ours, because
 * the library computes jitter once per page, flushes its queue before open handlers run and drops
 * what does not fit. With the resume extension (`Resume`), each socket asks for it in its URL, opens
 * once the server says hello (or falls back to the plain protocol), re-sends what was not
 * acknowledged, and hands on each message once.
 */
export class Transport {
  #current: ConnectionState = 'connecting'
  #attempt = 0
  #pendingDelayMs = 0
  #cancelWait: (() => void) | undefined
  // The connect timeout until the socket opens, then the wait for the server's hello.
  #timer: ReturnType<typeof setTimeout> | undefined
  #timedOut = false
  #suspended = false
  #announcingOpen = false
  // Open, but waiting for the server's hello (or its silence) to tell whether it resumes.
  #negotiating = false
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
    return this.#current
  }

  /**
   * Sends now when open, else queues; frames go out in the order of `send()` calls, and never before
   * the open handlers ran. With the resume extension, each is held until acknowledged.
   */
  send(frame: string): Receipt {
    if (this.#current === 'closed') return this.#refuse(new SendError('CHANNEL_CLOSED', 'Channel closed', [frame]))
    const receipt = this.#outbox._push(frame)
    if (!receipt) return this.#refuse(new SendError('OUTBOX_FULL', `Outbox full (${this.#outbox._limit})`, [frame]))
    if (this.#current === 'open' && !this.#announcingOpen) this.#flush()
    return receipt
  }

  /** Final and idempotent: stops reconnecting and reports any queued frames it discards. */
  close(): void {
    if (this.#current === 'closed') return
    this.#setState('closed', { reason: 'closed' })
    this.#shutdown()
  }

  #refuse(error: SendError): Receipt {
    this.#handlers._onError(error)
    return new Receipt(error)
  }

  /** Called by the library before each attempt: our backoff, and no attempt while offline or suspended. */
  async #nextUrl(): Promise<string> {
    const delayMs = this.#pendingDelayMs
    this.#pendingDelayMs = 0
    if (delayMs > 0 && this.#active()) await this.#pause(delayMs)
    while (this.#active() && this.#config.lifecycle?.navigator?.onLine === false) {
      this.#setState('reconnecting', { reason: 'offline' })
      await this.#pause()
    }
    if (this.#active()) {
      this.#config.logger.debug('connecting', this.#config.url)
      this.#timer = setTimeout(this.#handleConnectTimeout, this.#config.connectTimeoutMs)
    }
    return this.#resume._url(this.#config.url, this.#outbox._firstSeq)
  }

  /** Waits `ms`, or until `online`, `close()` or `pagehide` cut the wait short (forever without `ms`). */
  #pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        if (this.#cancelWait === done) this.#cancelWait = undefined
        resolve()
      }
      const timer = ms === undefined ? undefined : setTimeout(done, ms)
      this.#cancelWait = done
    })
  }

  #active(): boolean {
    return this.#current !== 'closed' && !this.#suspended
  }

  readonly #handleConnectTimeout = (): void => {
    if (!this.#active()) return
    this.#config.logger.debug('connect timeout')
    this.#timedOut = true
    this.#socket.reconnect()
  }

  readonly #handleOpen = (): void => {
    clearTimeout(this.#timer)
    if (this.#current === 'closed') return
    this.#attempt = 0
    if (!this.#resume._asked) return this.#opened()
    this.#negotiating = true
    this.#timer = setTimeout(this.#fallBack, this.#config.helloTimeoutMs)
  }

  /** Ready to send: re-sends what the server has not acknowledged, announces `open`, then writes the queue. */
  #opened(): void {
    this.#negotiating = false
    clearTimeout(this.#timer)
    this.#outbox._rewind()
    this.#flush(true)
    this.#announcingOpen = true
    try {
      this.#setState('open', { reason: 'opened' })
    } finally {
      this.#announcingOpen = false
    }
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
    clearTimeout(this.#timer)
    this.#negotiating = false
    if (!this.#active()) return
    const close: CloseInfo = { code: event.code, reason: event.reason ?? '' }
    const timedOut = this.#timedOut
    this.#timedOut = false
    const refused = !timedOut && !this.#wantsReconnect(close)
    if (refused || this.#attempt >= this.#config.maxAttempts) {
      const error = refused
        ? new ConnectionError(`Refused: close ${close.code} ${close.reason}`, close.code, close.reason)
        : new ConnectionError(`Gave up after ${this.#attempt} attempts (close ${close.code})`, close.code, close.reason, 'CONNECTION_GAVE_UP')
      this.#setState('closed', { reason: refused ? 'refused' : 'gave-up', close, error })
      this.#shutdown()
      this.#handlers._onError(error)
      return
    }
    this.#attempt += 1
    this.#pendingDelayMs = backoffDelay(this.#attempt, this.#config, this.#config.random)
    this.#setState('reconnecting', { reason: timedOut ? 'timeout' : 'lost', close, delayMs: this.#pendingDelayMs })
  }

  readonly #handleOnline = (): void => {
    const waiting = this.#cancelWait !== undefined || this.#pendingDelayMs > 0
    if (this.#current !== 'reconnecting' || this.#suspended || !waiting) return
    this.#pendingDelayMs = 0
    this.#setState('reconnecting', { reason: 'online', delayMs: 0 })
    this.#cancelWait?.()
  }

  /** Releases the socket when the page enters the back/forward cache, which an open socket would prevent. */
  readonly #handlePageHide = (event: Event): void => {
    if (!(event as PageTransitionEvent).persisted || !this.#active()) return
    this.#suspended = true
    clearTimeout(this.#timer)
    this.#cancelWait?.()
    this.#setState('reconnecting', { reason: 'suspended' })
    this.#socket.close(1000, 'page hidden')
  }

  readonly #handlePageShow = (event: Event): void => {
    if (!(event as PageTransitionEvent).persisted || !this.#suspended || this.#current === 'closed') return
    this.#attempt = 0
    this.#pendingDelayMs = 0
    this.#setState('reconnecting', { reason: 'resumed', delayMs: 0 })
    // Still suspended while the library reconnects, so the close it may dispatch for the old socket is ignored.
    this.#socket.reconnect()
    this.#suspended = false
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
    if (frame.type === 'hello') {
      // Also after the hello timeout: a slow server that has the extension gets it from here on.
      this.#resume._mode = 'on'
      if (this.#negotiating) this.#opened()
      return
    }
    // A server with the extension says hello first: this one does not have it.
    if (this.#negotiating) this.#fallBack()
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
    while (more && !this.#negotiating && this.#socket.readyState === OPEN) more = this.#outbox._writeNext(this.#write, this.#keep(), resent)
  }

  readonly #write = (frame: string): void => this.#socket.send(frame)

  /** Whether written frames are kept until acknowledged. */
  #keep(): boolean {
    return this.#resume._mode === 'on'
  }

  /** Releases the socket and timers; runs after the state became `closed`, so the close it causes is ignored. */
  #shutdown(): void {
    clearTimeout(this.#timer)
    this.#cancelWait?.()
    this.#listenToPage('removeEventListener')
    this.#socket.close(1000)
    const held = this.#outbox._frames
    if (held.length > 0) {
      const error = new SendError('CHANNEL_CLOSED', `Closed with ${held.length} unacknowledged`, held)
      this.#outbox._fail(error)
      this.#handlers._onError(error)
    }
  }

  /** The one place the state changes. */
  #setState(next: ConnectionState, change: Omit<StateChange, 'prev' | 'next' | 'attempt'>): void {
    const prev = this.#current
    this.#current = next
    this.#config.logger.debug(`${prev} → ${next}`, change.reason)
    this.#handlers._onState({ prev, next, attempt: this.#attempt, ...change })
  }
}
