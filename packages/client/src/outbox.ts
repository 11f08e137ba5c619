/** Frames sent while the socket is not open, held in order up to a limit. */
export class Outbox {
  readonly limit: number
  #frames: string[] = []

  constructor(limit: number) {
    this.limit = limit
  }

  get size(): number {
    return this.#frames.length
  }

  /** False when full: the caller refuses the frame and says so. */
  push(frame: string): boolean {
    if (this.#frames.length >= this.limit) return false
    this.#frames.push(frame)
    return true
  }

  /** Takes the oldest frame out. */
  shift(): string | undefined {
    return this.#frames.shift()
  }

  /** Empties the outbox, oldest first. */
  drain(): string[] {
    const frames = this.#frames
    this.#frames = []
    return frames
  }
}
