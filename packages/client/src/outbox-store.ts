/** Where a tab keeps its unacknowledged sends across a reload; the browser's `sessionStorage` fits. */
export interface OutboxStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** One held send as stored: its number (0 before it was first written), its frame, and 1 once nacked. */
export type SavedEntry = [seq: number, frame: string, nacked?: 1]

/** What a channel's outbox leaves behind: its sender session, its next number and its held sends. */
export interface SavedOutbox {
  s: string
  n: number
  q: SavedEntry[]
}

const SESSION = /^[\w-]{8,64}$/

/**
 * A channel's outbox in the tab's storage (docs/protocol.md, "acknowledged sends"), under
 * `switchboard:outbox:<channel>` and tagged with the participant: another participant in the same
 * tab finds the entry, drops it and re-sends nothing. It is written once at the end of every task
 * that changed the outbox, so a reload, a navigation and a crash of the tab all find what the last
 * finished task left; pagehide needs no write of its own. Storage that fails (full, disabled, a
 * value that is not ours) is never an error: the entry is removed, and a write that fails removes
 * it too, since an old entry would number the next page's sends with numbers already used.
 */
export class OutboxStore {
  readonly #storage: OutboxStorage
  readonly #key: string
  readonly #owner: string
  #pending = false
  // Whether the storage may hold an entry: until it is known to hold none, removing it is not skipped.
  #stored = true

  constructor(storage: OutboxStorage, channel: string, participantId: string | undefined) {
    this.#storage = storage
    this.#key = `switchboard:outbox:${channel}`
    this.#owner = participantId ?? ''
  }

  /** What the last page of this tab left for this participant and channel; a stale or unreadable entry is dropped. */
  _load(): SavedOutbox | undefined {
    try {
      const text = this.#storage.getItem(this.#key)
      if (text === null) return void (this.#stored = false)
      const saved = JSON.parse(text) as Partial<SavedOutbox & { p: unknown }> | null
      if (saved?.p === this.#owner && typeof saved.s === 'string' && SESSION.test(saved.s) && Number.isSafeInteger(saved.n) && Array.isArray(saved.q)) {
        if (saved.q.every((entry) => Number.isSafeInteger(entry[0]) && typeof entry[1] === 'string')) return saved as SavedOutbox
      }
    } catch {
      // Unreadable: dropped below.
    }
    this.#write(undefined)
    return undefined
  }

  /** Writes what `read` gives (nothing: removes the entry) at the end of this task, once however many changes it made. */
  _schedule(read: () => SavedOutbox | undefined): void {
    if (this.#pending) return
    this.#pending = true
    queueMicrotask(() => {
      this.#pending = false
      this.#write(read())
    })
  }

  #write(saved: SavedOutbox | undefined): void {
    try {
      if (saved) {
        this.#stored = true
        return this.#storage.setItem(this.#key, JSON.stringify({ p: this.#owner, ...saved }))
      }
    } catch {
      // Full or disabled: removed below.
    }
    if (!this.#stored) return
    try {
      this.#storage.removeItem(this.#key)
      this.#stored = false
    } catch {
      // Storage that cannot be reached holds nothing to remove.
    }
  }
}
