import type { SendError, SwitchboardError } from './errors.js'
import { utf8Bytes } from './send-refusals.js'
import type { SavedEntry, SavedOutbox } from './outbox-store.js'
import { Receipt } from './receipt.js'

interface Entry {
  frame: string
  receipt: Receipt
  /** Its number in this channel's session, given when first written; a re-send keeps it. */
  seq?: number
  /** Nacked: failed, but still re-sent while a later frame is held, to keep the numbers in step. */
  nacked?: true
}

/**
 * The sends a channel still holds, in order: first those written but not yet acknowledged (resume
 * extension only), then those waiting to be written. Bounded; a send past the limit is refused.
 *
 * The numbers must stay in step with the server's, which numbers a socket's frames in arrival order
 * from its `sb_seq` (the oldest held). So no number is ever skipped on a socket: a nacked frame in
 * the middle stays, re-sent as it was (the server drops or refuses it again), until everything before
 * it is acknowledged; and a frame that fails because the server closes at it (1009) gives its number
 * to the frames after it, which the server, closing every socket at that frame, has never read.
 */
export class Outbox {
  readonly _limit: number
  /** The sender session (`sb_session`) the numbers belong to: random, or the one a reload left. */
  readonly _session: string
  #entries: Entry[] = []
  // Index of the first entry not written to the current socket.
  #unwritten = 0
  #nextSeq = 1
  // The frame a close for a frame too large (1009) pointed at last.
  #suspect: Entry | undefined
  readonly #changed: () => void

  constructor(limit: number, saved?: SavedOutbox, changed: () => void = () => {}) {
    this._limit = limit
    this.#changed = changed
    this._session = saved?.s ?? randomSession()
    if (!saved) return
    this.#nextSeq = saved.n
    for (const [seq, frame, nacked] of saved.q.slice(0, limit)) {
      this.#entries.push({ frame, receipt: new Receipt(), ...(seq > 0 && { seq }), ...(nacked && { nacked: true }) })
      // Written to a socket of the page before: re-sent first, like any held frame.
      if (seq > 0) this.#unwritten++
    }
  }

  /** The number of the first frame the next socket will carry: the oldest held, or the next new one. */
  get _firstSeq(): number {
    return this.#entries[0]?.seq ?? this.#nextSeq
  }

  /** The frames held and not failed, oldest first. */
  get _frames(): string[] {
    return this.#entries.filter((entry) => !entry.nacked).map((entry) => entry.frame)
  }

  /** Queues `frame`; undefined when full (the caller refuses it and says so). */
  _push(frame: string): Receipt | undefined {
    if (this.#entries.length >= this._limit) return undefined
    const receipt = new Receipt()
    this.#entries.push({ frame, receipt })
    this.#changed()
    return receipt
  }

  /**
   * The next entry to write, if any; `resent` limits it to entries written to an earlier socket.
   * `write` takes its frame; the entry is then kept until acknowledged when `keep`, else done.
   */
  _writeNext(write: (frame: string) => void, keep: boolean, resent = false): boolean {
    const entry = this.#entries[this.#unwritten]
    if (!entry || (resent && entry.seq === undefined)) return false
    write(entry.frame)
    if (entry.seq === undefined) {
      entry.seq = this.#nextSeq++
      this.#changed()
    }
    entry.receipt._update('sent', !keep)
    if (keep) this.#unwritten++
    else this.#entries.splice(this.#unwritten, 1)
    return true
  }

  /** The server has every frame up to `seq`: they are done. */
  _acknowledge(seq: number): void {
    let count = 0
    while (count < this.#unwritten && (this.#entries[count]?.seq ?? seq) <= seq) this.#entries[count++]?.receipt._update('acknowledged', true)
    this.#drop(count)
  }

  /** The server will never publish frame `seq`: its send fails with the error `refuse` makes, which is returned to report. */
  _nack(seq: number, refuse: (frame: string) => SendError): SendError | undefined {
    const entry = this.#entries.find((held, index) => index < this.#unwritten && held.seq === seq && !held.nacked)
    if (!entry) return undefined
    const error = refuse(entry.frame)
    entry.receipt._update('failed', true, error)
    entry.nacked = true
    this.#drop(0)
    return error
  }

  /**
   * The socket closed with 1009 (a frame too large): the culprit is the largest frame it carried,
   * since the server read every frame before the one it closed at, and that one is over its limit.
   * The same culprit twice in a row fails, with the error `refuse` makes (returned, to report),
   * instead of being re-sent after every reconnect; once is not enough, so that a 1009 from
   * elsewhere (a proxy restarting, say) fails nothing.
   */
  _closedTooLarge(refuse: (frame: string) => SendError): SendError | undefined {
    let culprit: Entry | undefined
    let most = -1
    for (const entry of this.#entries.slice(0, this.#unwritten)) {
      const bytes = utf8Bytes(entry.frame)
      if (!entry.nacked && bytes > most) [culprit, most] = [entry, bytes]
    }
    if (!culprit || culprit !== this.#suspect) {
      this.#suspect = culprit
      return undefined
    }
    const index = this.#entries.indexOf(culprit)
    this.#entries.splice(index, 1)
    this.#unwritten--
    for (const later of this.#entries.slice(index)) if (later.seq !== undefined) later.seq--
    this.#nextSeq--
    const error = refuse(culprit.frame)
    culprit.receipt._update('failed', true, error)
    this.#changed()
    return error
  }

  /** Fails the entries not written yet whose frame `refuse` turns down (a new frame limit), and returns their errors. */
  _sift(refuse: (frame: string) => SendError | undefined): SendError[] {
    const errors: SendError[] = []
    this.#entries = this.#entries.filter((entry) => {
      const error = entry.seq === undefined ? refuse(entry.frame) : undefined
      if (!error) return true
      entry.receipt._update('failed', true, error)
      errors.push(error)
      return false
    })
    if (errors.length > 0) this.#changed()
    return errors
  }

  /** A new socket: everything held is written again, oldest first. */
  _rewind(): void {
    this.#unwritten = 0
  }

  /** Fails every entry with `error` and empties the outbox. */
  _fail(error: SwitchboardError): void {
    for (const entry of this.#entries.splice(0)) entry.receipt._update('failed', true, error)
    this.#unwritten = 0
    this.#changed()
  }

  /** What a reload of the tab needs to send again what is held; nothing when nothing is. */
  _saved(): SavedOutbox | undefined {
    if (this.#entries.length === 0) return undefined
    return { s: this._session, n: this.#nextSeq, q: this.#entries.map(({ seq = 0, frame, nacked }): SavedEntry => (nacked ? [seq, frame, 1] : [seq, frame])) }
  }

  /** Drops the first `count` entries (acknowledged), then the nacked ones that lead: no later frame needs their numbers. */
  #drop(count: number): void {
    // Only written ones: one the current socket has not carried again yet still holds its number's place on it.
    while (count < this.#unwritten && this.#entries[count]?.nacked) count++
    this.#entries.splice(0, count)
    this.#unwritten -= count
    this.#changed()
  }
}

function randomSession(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(36)).join('')
}
