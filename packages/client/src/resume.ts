import { compareMessageIds } from './message-id.js'
import type { MessageId } from './message-id.js'

/** Messages that may be missing: history no longer held what came after `since`, up to `last`. */
export interface Gap {
  /** The last message id this channel had received. */
  since: MessageId
  /** The newest id that is gone; delivery goes on after it. */
  last: MessageId
}

/** A frame of a resuming connection, read: the server's own JSON for hello, ack and gap (docs/protocol.md). */
export type ExtensionFrame =
  | { type: 'hello'; last: MessageId }
  | { type: 'ack'; seq: number }
  | ({ type: 'gap' } & Gap)
  /** A channel frame; `id` is missing for a message published by another program straight into Redis. */
  | { type: 'message'; frame: string; id?: MessageId }
  /** Seen before: dropped. */
  | { type: 'duplicate' }

const ID_FRAME = /^(\d+-\d+) /

/**
 * The client side of the resume extension (docs/protocol.md): asks for it in the URL, then reads the
 * server's hello, acks, gaps and numbered messages, and keeps the channel's position.
 */
export class Resume {
  /** Whether the server speaks the extension: unknown until its hello (or its silence) says. */
  _mode: 'unknown' | 'on' | 'off'
  /** The last message id received. */
  _last: MessageId | undefined
  /** Whether the current socket asked for the extension. */
  _asked = false
  readonly #session = randomSession()

  constructor(wanted: boolean) {
    this._mode = wanted ? 'unknown' : 'off'
  }

  /** `url` with this attempt's resume parameters; the next socket's first frame will be number `firstSeq`. */
  _url(url: string, firstSeq: number): string {
    if (!(this._asked = this._mode !== 'off')) return url
    return `${url}&sb=1&sb_session=${this.#session}&sb_seq=${firstSeq}${this._last ? `&sb_since=${this._last}` : ''}`
  }

  /** Reads a frame of a resuming connection (or of one whose mode is not known yet). */
  _read(data: string): ExtensionFrame {
    if (data.startsWith(':{')) {
      try {
        const meta = JSON.parse(data.slice(1)) as Partial<Record<string, unknown>>
        if (meta.type === 'ack' && typeof meta.seq === 'number') return meta as ExtensionFrame
        // Delivery goes on after a hello's or a gap's `last`, whatever came before.
        if ((meta.type === 'hello' || (meta.type === 'gap' && typeof meta.since === 'string')) && typeof meta.last === 'string') {
          this._last = meta.last
          return meta as ExtensionFrame
        }
      } catch {
        // Not JSON.
      }
      // Anything else is no extension frame: it goes on as a frame of no channel, which the channel ignores.
    }
    const id = ID_FRAME.exec(data)?.[1]
    if (id === undefined) return { type: 'message', frame: data }
    if (this._last !== undefined && compareMessageIds(id, this._last) <= 0) return { type: 'duplicate' }
    this._last = id
    return { type: 'message', frame: data.slice(id.length + 1), id }
  }
}

function randomSession(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(36)).join('')
}
