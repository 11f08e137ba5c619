import { backoffDelay } from './backoff.js'
import { redactCredential } from './chat-url.js'
import { endPhase, publicState } from './connection-phase.js'
import type { Phase } from './connection-phase.js'
import { assertNever } from './connection-state.js'
import type { ConnectionState, StateChange } from './connection-state.js'
import { ConnectionError, SendError } from './errors.js'
import type { SwitchboardError } from './errors.js'
import { Heartbeat } from './heartbeat.js'
import type { PongSample } from './heartbeat.js'
import { askShouldReconnect } from './options.js'
import type { CloseInfo } from './options.js'
import { Outbox } from './outbox.js'
import { preciseNow, timeOfEvent } from './precise-time.js'
import { Receipt } from './receipt.js'
import { listenToPage } from './page-lifecycle.js'
import type { PageListener } from './page-lifecycle.js'
import { Resume } from './resume.js'
import { closedAt, nacked, overLimit } from './send-refusals.js'
import { Socket } from './socket.js'
import type { SocketListener } from './socket.js'
import type { TransportConfig, TransportHandlers } from './transport-config.js'

export type { TransportConfig, TransportHandlers } from './transport-config.js'

type Announcement = Omit<StateChange, 'prev' | 'next' | 'attempt'>

/**
 * One channel's connection: a {@link Socket} at a time, remade after a drop with our backoff, connect
 * timeout and {@link Outbox}. With the resume extension ({@link Resume}), each socket asks for it in
 * its URL, opens once the server says hello (or goes on plain), re-sends what was not acknowledged,
 * hands on each message once, and beats ({@link Heartbeat}). Where it stands is one {@link Phase}, changed by `#set`.
 */
export class Transport implements SocketListener, PageListener {
  #phase: Phase
  #attempt = 0
  #socket: Socket | undefined
  readonly #outbox: Outbox
  readonly #resume: Resume
  readonly #heartbeat: Heartbeat
  readonly #stopListening: (() => void) | undefined

  readonly #config: TransportConfig
  readonly #handlers: TransportHandlers

  constructor(config: TransportConfig, handlers: TransportHandlers) {
    this.#config = config
    this.#handlers = handlers
    const store = config.outboxStore
    const saved = store?._load()
    this.#outbox = new Outbox(config.outboxLimit, saved, store && (() => store._schedule(() => this.#outbox._saved())))
    // Numbered sends from the page before were written to a server that had said hello.
    this.#resume = new Resume(config.resume, (saved?.q[0]?.[0] ?? 0) > 0)
    this.#heartbeat = new Heartbeat(config.heartbeatIntervalMs, config.heartbeatTimeoutMs)
    this.#phase = { _name: 'connecting', _state: 'connecting', _timer: setTimeout(this.#connect, 0) }
    this.#stopListening = config.lifecycle && listenToPage(config.lifecycle, this)
  }

  get state(): ConnectionState {
    return publicState(this.#phase)
  }

  get lastPong(): PongSample | undefined {
    return this.#heartbeat._last
  }

  /** Writes the extension frame `:<json>` now, when the socket is up and speaks the extension; false when not. */
  _extension(json: string): boolean {
    const up = this.#up()
    if (up) this.#write(`:${json}`)
    return up
  }

  /** A ping now, when the socket is up and speaks the extension: the server's clock from its pong, else undefined. */
  ping(): Promise<number | undefined> {
    return this.#up() ? this.#heartbeat._ask(this.#write) : Promise.resolve(undefined)
  }

  /** Open (or announcing open: an open handler may write) on a server that speaks the extension. */
  #up(): boolean {
    return (this.#phase._name === 'open' || this.#phase._name === 'announcing') && this.#resume._on
  }

  /**
   * Sends now when open, else queues; frames go out in the order of `send()` calls, and never before
   * the open handlers ran. With the resume extension, each is held until acknowledged.
   */
  send(frame: string): Receipt {
    if (this.#phase._name === 'closed') return this.#refuse(new SendError('CHANNEL_CLOSED', 'Channel closed', [frame]))
    const tooLarge = this.#tooLarge(frame)
    if (tooLarge) return this.#refuse(tooLarge)
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

  #report(error: SwitchboardError | undefined): void {
    if (error) this.#handlers._onError(error)
  }

  readonly #tooLarge = (frame: string): SendError | undefined => overLimit(frame, this.#resume._maxFrameBytes)

  /** Makes a socket, unless offline: then no attempt is made until `online`. */
  readonly #connect = (): void => {
    if (this.#config.lifecycle?.navigator?.onLine === false) return this.#set({ _name: 'waiting', _delayMs: 0 }, { reason: 'offline' })
    const url = this.#resume._url(this.#config.url, this.#outbox._session, this.#outbox._firstSeq)
    this.#config.logger.debug('connecting', redactCredential(url))
    // 'connecting' until the first change is announced.
    this.#set({ _name: 'connecting', _state: this.state === 'connecting' ? 'connecting' : 'reconnecting', _timer: setTimeout(this.#handleConnectTimeout, this.#config.connectTimeoutMs) })
    this.#socket = new Socket(this.#config.WebSocket, url, this)
  }

  readonly #handleConnectTimeout = (): void => {
    this.#config.logger.debug('connect timeout')
    this.#socket?._release(1000)
    this.#retry({ reason: 'timeout', close: { code: 1000, reason: '' } })
  }

  _onOpen(): void {
    const phase = this.#phase
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
    this.#set(this.#openPhase())
    this.#flush()
  }

  /** `open`, with the heartbeat's first look on a socket that speaks the extension (never on a plain one: Dallinger relays every frame to all). */
  #openPhase(): Phase {
    const interval = this.#config.heartbeatIntervalMs
    return { _name: 'open', _timer: this.#resume._on && interval > 0 ? setTimeout(this.#beat, interval) : undefined }
  }

  readonly #beat = (): void => {
    const next = this.#heartbeat._step(preciseNow(), this.#write)
    if (next !== undefined) return this.#set({ _name: 'open', _timer: setTimeout(this.#beat, next) })
    this.#config.logger.debug('silent')
    this.#socket?._release(1000, 'silent')
    this.#retry({ reason: 'silent', close: { code: 1000, reason: 'silent' } })
  }

  /**
   * No hello in time: this socket is plain, and what it carries counts as sent. A server that has
   * never said hello is asked no more, and nothing written to it is held; one that has said hello is
   * a Switchboard server that was slow: its next socket asks again, and what this one carries stays
   * held, numbered as the server numbers it (from `sb_seq`), until acknowledged or sent again.
   */
  readonly #fallBack = (): void => {
    this.#config.logger.debug('no hello')
    if (this.#resume._mode === 'unknown') this.#resume._mode = 'off'
    this.#opened()
  }

  /**
   * The server said hello. Before the hello timeout, the channel opens. After it, the open socket
   * switches to the extension and beats; nothing is re-sent on it, since the server has numbered
   * what it carried already, and a second copy would get a new number and be published twice.
   */
  #greeted(): void {
    for (const error of this.#outbox._sift(this.#tooLarge)) this.#handlers._onError(error)
    if (this.#phase._name === 'negotiating') return this.#opened()
    if (this.#phase._name === 'open') this.#set(this.#openPhase())
  }

  _onClose(close: CloseInfo): void {
    // A frame too large closes the socket at it after every reconnect: the outbox fails it once it is sure which.
    if (close.code === 1009) this.#report(this.#outbox._closedTooLarge((frame) => closedAt(frame, close.reason)))
    const refused = !askShouldReconnect(this.#config.shouldReconnect, close, this.#handlers._onError)
    this.#retry({ reason: refused ? 'refused' : 'lost', close }, refused)
  }

  /** The socket is gone: reconnect after the backoff, unless the close refused it or the attempts ran out. */
  #retry(change: Announcement & { close: CloseInfo }, refused = false): void {
    const { close } = change
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
    this.#set({ _name: 'waiting', _delayMs: delayMs, _timer: setTimeout(this.#connect, delayMs) }, { ...change, delayMs })
  }

  /** The next attempt, at once (on a zero-delay turn, as every attempt is made from a timer). */
  #connectNow(reason: 'online' | 'resumed'): void {
    this.#set({ _name: 'waiting', _delayMs: 0, _timer: setTimeout(this.#connect, 0) }, { reason, delayMs: 0 })
  }

  _online(): void {
    const phase = this.#phase
    // Only a wait can be cut short: the backoff, or the wait for the network (no timer).
    if (phase._name === 'waiting' && (phase._delayMs > 0 || !phase._timer)) this.#connectNow('online')
  }

  /** Releases the socket when the page enters the back/forward cache, which an open socket would prevent. */
  _hidden(): void {
    if (this.#phase._name === 'closed' || this.#phase._name === 'suspended') return
    this.#set({ _name: 'suspended' }, { reason: 'suspended' })
    this.#socket?._release(1000, 'page hidden')
  }

  _shown(): void {
    if (this.#phase._name !== 'suspended') return
    this.#attempt = 0
    this.#connectNow('resumed')
  }

  _onMessage(data: unknown, timeStamp: unknown): void {
    // When the frame arrived: the time it is handed on with, and the heartbeat's.
    const now = timeOfEvent(timeStamp)
    if (!this.#resume._asked || typeof data !== 'string') return this.#handlers._frames._receive(data, undefined, now)
    // Any frame is life: the heartbeat never pings a busy socket.
    this.#heartbeat._heard(now)
    // The most common frame first, a numbered message on an open socket, read with no object per frame.
    const id = this.#phase._name === 'open' ? this.#resume._numbered(data) : undefined
    if (id !== undefined) return id === null ? undefined : this.#handlers._frames._receive(data.slice(id.length + 1), id, now, this.#resume._lastMs)
    const frame = this.#resume._read(data)
    if (frame.type === 'hello') return this.#greeted()
    // A server with the extension says hello first: this one does not have it.
    if (this.#phase._name === 'negotiating') this.#fallBack()
    switch (frame.type) {
      case 'message':
        return this.#handlers._frames._receive(frame.frame, frame.id, now, frame.id === undefined ? undefined : this.#resume._lastMs)
      case 'ack':
        return this.#outbox._acknowledge(frame.seq)
      case 'nack':
        return this.#report(this.#outbox._nack(frame.seq, (sent) => nacked(sent, frame.code, frame.reason)))
      case 'pong':
        return this.#heartbeat._pong(frame.id, frame.now, now)
      case 'gap':
        return this.#handlers._onGap({ since: frame.since, last: frame.last })
      case 'extension':
        return this.#handlers._onExtension(frame.meta)
      case 'duplicate':
        return
      default:
        return assertNever(frame)
    }
  }

  /** Writes held frames (only re-sends with `resent`) one at a time while the socket stays open: what is left stays, in order. */
  #flush(resent?: boolean): void {
    let more = true
    // Written frames are kept until acknowledged once the server has said hello, on any socket.
    while (more && this.#socket?._open) more = this.#outbox._writeNext(this.#write, this.#resume._mode === 'on', resent)
  }

  readonly #write = (frame: string): void => this.#socket?._send(frame)

  /** Releases the socket; runs once the phase is `closed` (which ended its timers). Fails what is held (reporting what was not failed already). */
  #shutdown(): void {
    this.#stopListening?.()
    this.#socket?._release(1000)
    const held = this.#outbox._frames
    const error = new SendError('CHANNEL_CLOSED', `Closed with ${held.length} unacknowledged`, held)
    this.#outbox._fail(error)
    if (held.length > 0) this.#handlers._onError(error)
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
