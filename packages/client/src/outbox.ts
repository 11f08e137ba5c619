import type { SwitchboardError } from './errors.js'
import { Receipt } from './receipt.js'

/** One send, numbered 1, 2, 3… per channel in the order of `send()` calls. */
export interface OutboxEntry {
  seq: number
  frame: string
  receipt: Receipt
}

/**
 * The sends a channel still holds, in order: first those written but not yet acknowledged (resume
 * extension only), then those waiting to be written. Bounded; a send past the limit is refused.
 */
export class Outbox {
  readonly limit: number
  #entries: OutboxEntry[] = []
  // Index of the first entry not yet written to the current socket.
  #unwritten = 0
  #nextSeq = 1

  constructor(limit: number) {
    this.limit = limit
  }

  /** Entries not yet written to the current socket. */
  get waiting(): number {
    return this.#entries.length - this.#unwritten
  }

  /** The number of the oldest entry held: the first frame the next socket will carry. */
  get firstSeq(): number {
    return this.#entries[0]?.seq ?? this.#nextSeq
  }

  /** Queues `frame`; undefined when full (the caller refuses it and says so). */
  push(frame: string): OutboxEntry | undefined {
    if (this.#entries.length >= this.limit) return undefined
    const entry = { seq: this.#nextSeq++, frame, receipt: new Receipt() }
    this.#entries.push(entry)
    return entry
  }

  /** The next entry to write, if any. */
  peek(): OutboxEntry | undefined {
    return this.#entries[this.#unwritten]
  }

  /** Marks the next entry written; it is kept until acknowledged when `keep`, else it is done. */
  written(keep: boolean): void {
    const entry = this.#entries[this.#unwritten]
    if (!entry) return
    entry.receipt.update('sent', !keep)
    if (keep) this.#unwritten++
    else this.#entries.splice(this.#unwritten, 1)
  }

  /** The server has every entry up to `seq`: they are done. */
  acknowledge(seq: number): void {
    let count = 0
    while (count < this.#unwritten && (this.#entries[count]?.seq ?? Infinity) <= seq) this.#entries[count++]?.receipt.update('acknowledged', true)
    this.#entries.splice(0, count)
    this.#unwritten -= count
  }

  /** A new socket: everything held is written again, oldest first. */
  rewind(): void {
    this.#unwritten = 0
  }

  /** The server turned out to acknowledge nothing: what was written is done as `sent`. */
  forgetWritten(): void {
    for (const entry of this.#entries.splice(0, this.#unwritten)) entry.receipt.update('sent', true)
    this.#unwritten = 0
  }

  /** The frames held, oldest first. */
  get frames(): string[] {
    return this.#entries.map((entry) => entry.frame)
  }

  /** Fails every entry with `error` and empties the outbox. */
  fail(error: SwitchboardError): void {
    for (const entry of this.#entries.splice(0)) entry.receipt.update('failed', true, error)
    this.#unwritten = 0
  }
}
