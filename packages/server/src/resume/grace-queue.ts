/**
 * Waits that all last the same `graceMs`, by key, behind one timer: insertion order is deadline order,
 * so the timer is only ever for the first. A million departures cost a Map entry each, not a timer.
 */
export class GraceQueue<T, K = string> {
  private readonly waiting = new Map<K, { value: T; dueAt: number }>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor(
    private readonly graceMs: number,
    private readonly onDue: (value: T) => void,
  ) {}

  get size(): number {
    return this.waiting.size
  }

  has(key: K): boolean {
    return this.waiting.has(key)
  }

  /** Starts `key`'s wait, unless it waits already. */
  add(key: K, value: T): void {
    if (this.stopped || this.waiting.has(key)) return
    this.waiting.set(key, { value, dueAt: Date.now() + this.graceMs })
    this.timer ??= this.arm()
  }

  /** Ends `key`'s wait before its time; true if it was waiting. */
  delete(key: K): boolean {
    return this.waiting.delete(key)
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.waiting.clear()
  }

  private arm(): ReturnType<typeof setTimeout> | undefined {
    const first = this.waiting.values().next()
    if (first.done) return undefined
    const timer = setTimeout(() => this.due(), Math.max(0, first.value.dueAt - Date.now()))
    timer.unref()
    return timer
  }

  private due(): void {
    const now = Date.now()
    for (const [key, { value, dueAt }] of this.waiting) {
      if (dueAt > now) break
      this.waiting.delete(key)
      this.onDue(value)
      if (this.stopped) return
    }
    this.timer = this.arm()
  }
}
