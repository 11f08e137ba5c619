import type { MessageId } from './message-id.js'

/** Messages that may be missing: history no longer held what came after `since`, up to `last`. */
export interface Gap {
  /** The last message id this channel had received. */
  since: MessageId
  /** The newest id that is gone; delivery goes on after it. */
  last: MessageId
}

/** A frame of a resuming connection, read: the server's own JSON for its extension frames (docs/protocol.md). */
export type ExtensionFrame =
  | { type: 'hello'; last: MessageId }
  | { type: 'ack'; seq: number }
  /** Frame `seq` will never be published: `code` is the close code it would have had on a plain socket. */
  | { type: 'nack'; seq: number; code: number; reason: string }
  | { type: 'pong'; id: number; now: number }
  | ({ type: 'gap' } & Gap)
  /** A channel frame; `id` is missing for a message published by another program straight into Redis. */
  | { type: 'message'; frame: string; id?: MessageId }
  /** Seen before: dropped. */
  | { type: 'duplicate' }
  /** Any other extension frame the server sends (presence, …), for the modules that asked for it. */
  | { type: 'extension'; meta: Record<string, unknown> }

/**
 * The client side of the resume extension (docs/protocol.md): asks for it in the URL, then reads the
 * server's extension frames and numbered messages, and keeps the channel's position.
 */
export class Resume {
  /**
   * What the server is known to be: `on` once it said hello (on any socket), `off` once its first
   * socket stayed silent, `unknown` before. Every socket asks unless `off`.
   */
  _mode: 'unknown' | 'on' | 'off'
  /** The last message id received. */
  _last: MessageId | undefined
  // Its two numbers, to compare the next id with, without parsing it again; the first is its server time.
  _lastMs = 0
  #lastSeq = 0
  /** Whether the current socket asked for the extension. */
  _asked = false
  /** Whether the current socket speaks it: its server said hello. */
  _on = false
  /** The largest frame the server publishes, in UTF-8 bytes, as its last hello said (no limit if it did not). */
  _maxFrameBytes = Number.POSITIVE_INFINITY

  constructor(wanted: boolean, greeted = false) {
    this._mode = !wanted ? 'off' : greeted ? 'on' : 'unknown'
  }

  /** `url` with this attempt's resume parameters, for a new socket whose first frame will be number `firstSeq` of `session`. */
  _url(url: string, session: string, firstSeq: number): string {
    this._on = false
    if (!(this._asked = this._mode !== 'off')) return url
    return `${url}&sb=1&sb_session=${session}&sb_seq=${firstSeq}${this._last ? `&sb_since=${this._last}` : ''}`
  }

  /** Reads a frame of a resuming connection (or of one whose mode is not known yet). */
  _read(data: string): ExtensionFrame {
    if (data.startsWith(':{')) {
      try {
        const meta = JSON.parse(data.slice(1)) as Partial<Record<string, unknown>>
        const { type, last } = meta
        if ((type === 'ack' || (type === 'nack' && typeof meta.code === 'number')) && typeof meta.seq === 'number') return { reason: '', ...meta } as ExtensionFrame
        if (type === 'pong' && typeof meta.id === 'number' && typeof meta.now === 'number') return meta as ExtensionFrame
        // Delivery goes on after a hello's or a gap's `last`, whatever came before.
        if ((type === 'hello' || (type === 'gap' && typeof meta.since === 'string')) && typeof last === 'string') {
          this.#setLast(last)
          if (type === 'hello') {
            this._mode = 'on'
            this._on = true
            this._maxFrameBytes = typeof meta.maxFrameBytes === 'number' ? meta.maxFrameBytes : Number.POSITIVE_INFINITY
          }
          return meta as ExtensionFrame
        }
        if (typeof type === 'string') return { type: 'extension', meta }
      } catch {
        // Not JSON.
      }
      // Anything else is no extension frame: it goes on as a frame of no channel, which the channel ignores.
    }
    const id = this._numbered(data)
    if (id === null) return { type: 'duplicate' }
    return id === undefined ? { type: 'message', frame: data } : { type: 'message', frame: data.slice(id.length + 1), id }
  }

  /**
   * For a numbered message, `<ms>-<seq> <frame>`: its id, which becomes the last, or null when it is
   * not after the last (seen before: to drop); undefined for any other frame. On the path of every
   * message: read character by character, with no regular expression, array or second parse.
   */
  _numbered(data: string): MessageId | null | undefined {
    let at = 0
    let ms = 0
    let seq = 0
    // Character codes: 48–57 the digits, 45 '-', 32 ' '.
    for (let code = data.charCodeAt(0); code >= 48 && code <= 57; code = data.charCodeAt(++at)) ms = ms * 10 + code - 48
    const dash = at
    if (dash === 0 || data.charCodeAt(dash) !== 45) return undefined
    for (let code = data.charCodeAt(++at); code >= 48 && code <= 57; code = data.charCodeAt(++at)) seq = seq * 10 + code - 48
    if (at === dash + 1 || data.charCodeAt(at) !== 32) return undefined
    if (this._last !== undefined && (ms < this._lastMs || (ms === this._lastMs && seq <= this.#lastSeq))) return null
    this._lastMs = ms
    this.#lastSeq = seq
    return (this._last = data.slice(0, at))
  }

  #setLast(id: MessageId): void {
    const dash = id.indexOf('-')
    this._last = id
    this._lastMs = +id.slice(0, dash)
    this.#lastSeq = +id.slice(dash + 1)
  }
}
