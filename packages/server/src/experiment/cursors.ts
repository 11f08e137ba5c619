import type { MessageId } from '@switchboard/client'
import type { Log } from '../log.js'
import type { SharedState } from '../state/shared-state.js'

export const cursorKey = (channel: string) => `experiment-cursor:${channel}`

/**
 * Where the experiment is in each of its channels: the id of the last message it was handed, kept in
 * the shared state so that a restarted experiment goes on from there. One write per channel at a
 * time, always of the newest id: under load, writes are fewer than messages, never behind by more than one.
 */
export class Cursors {
  private readonly newest = new Map<string, MessageId>()
  private readonly writing = new Map<string, Promise<void>>()

  constructor(
    private readonly state: SharedState,
    private readonly log: Log,
  ) {}

  advance(channel: string, id: MessageId): void {
    this.newest.set(channel, id)
    if (!this.writing.has(channel)) this.writing.set(channel, this.write(channel))
  }

  /** Resolves once every cursor is stored. */
  async flushed(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values())
  }

  private async write(channel: string): Promise<void> {
    let written: MessageId | undefined
    try {
      for (let id = this.newest.get(channel); id !== undefined && id !== written; id = this.newest.get(channel)) {
        await this.state.set(cursorKey(channel), id)
        written = id
      }
    } catch (error) {
      this.log('warn', 'experiment.cursor_failed', { channel, error })
    } finally {
      this.writing.delete(channel)
    }
  }
}
