import type { SwitchboardError } from './errors.js'
import { Receipt } from './receipt.js'

interface Entry {
  frame: string
  receipt: Receipt
  /** Its number in this channel's session, given when first written; a re-send keeps it. */
  seq?: number
}

/**
 * The sends a channel still holds, in order: first those written but not yet acknowledged (resume
 * extension only), then those waiting to be written. Bounded; a send past the limit is refused.
 */
export class Outbox {
  readonly _limit: number
  #entries: Entry[] = []
  // Index of the first entry not written to the current socket.
  #unwritten = 0
  #nextSeq = 1

  constructor(limit: number) {
    this._limit = limit
  }

  /** The number of the first frame the next socket will carry: the oldest held, or the next new one. */
  get _firstSeq(): number {
    return this.#entries[0]?.seq ?? this.#nextSeq
  }

  /** The frames held, oldest first. */
  get _frames(): string[] {
    return this.#entries.map((entry) => entry.frame)
  }

  /** Queues `frame`; undefined when full (the caller refuses it and says so). */
  _push(frame: string): Receipt | undefined {
    if (this.#entries.length >= this._limit) return undefined
    const receipt = new Receipt()
    this.#entries.push({ frame, receipt })
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
    entry.seq ??= this.#nextSeq++
    entry.receipt._update('sent', !keep)
    if (keep) this.#unwritten++
    else this.#entries.splice(this.#unwritten, 1)
    return true
  }

  /** The server has every frame up to `seq`: they are done. */
  _acknowledge(seq: number): void {
    let count = 0
    while (count < this.#unwritten && (this.#entries[count]?.seq ?? seq) <= seq) this.#entries[count++]?.receipt._update('acknowledged', true)
    this.#entries.splice(0, count)
    this.#unwritten -= count
  }

  /** A new socket: everything held is written again, oldest first. */
  _rewind(): void {
    this.#unwritten = 0
  }

  /** The server turned out to acknowledge nothing: what was written is done as `sent`. */
  _forgetWritten(): void {
    for (const entry of this.#entries.splice(0, this.#unwritten)) entry.receipt._update('sent', true)
    this.#unwritten = 0
  }

  /** Fails every entry with `error` and empties the outbox. */
  _fail(error: SwitchboardError): void {
    for (const entry of this.#entries.splice(0)) entry.receipt._update('failed', true, error)
    this.#unwritten = 0
  }
}
