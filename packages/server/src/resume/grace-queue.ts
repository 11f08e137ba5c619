/**
 * Waits that all last the same `graceMs`, by key, behind one timer: insertion order is deadline order,
 * so the timer is only ever for the first. A million departures cost a Map entry each, not a timer.
 * Times are on the monotonic clock, as a timer's are: a step of the wall clock moves no deadline.
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
    this.waiting.set(key, { value, dueAt: performance.now() + this.graceMs })
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
    const timer = setTimeout(() => this.due(), Math.max(0, first.value.dueAt - performance.now()))
    timer.unref()
    return timer
  }

  private due(): void {
    // Fired: a wait added from onDue arms a timer of its own, and one that throws stops no other.
    this.timer = undefined
    const now = performance.now()
    try {
      for (const [key, { value, dueAt }] of this.waiting) {
        if (dueAt > now) break
        this.waiting.delete(key)
        this.onDue(value)
        if (this.stopped) return
      }
    } finally {
      if (!this.stopped) {
        clearTimeout(this.timer)
        this.timer = this.arm()
      }
    }
  }
}
