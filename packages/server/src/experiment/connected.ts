import type { ControlEvent } from '../protocol/control.js'

/**
 * Who is connected, from the control events of every process: a participant with at least one open
 * socket, and the channels its sockets are on. Dallinger can report one disconnect twice, so counts
 * never go below zero.
 */
export class Connected {
  private readonly sockets = new Map<string, number>()
  private readonly channels = new Map<string, Map<string, number>>()

  apply(event: ControlEvent): void {
    const id = event.client.participant_id
    if (id === null) return
    if (event.type === 'websocket') {
      const count = Math.max(0, (this.sockets.get(id) ?? 0) + (event.event === 'connected' ? 1 : -1))
      if (count > 0) this.sockets.set(id, count)
      else {
        this.sockets.delete(id)
        this.channels.delete(id)
      }
      return
    }
    if (event.channel === null) return
    const held = this.channels.get(id) ?? new Map<string, number>()
    this.channels.set(id, held)
    const count = Math.max(0, (held.get(event.channel) ?? 0) + (event.event === 'subscribed' ? 1 : -1))
    if (count > 0) held.set(event.channel, count)
    else held.delete(event.channel)
  }

  /** Participants with an open socket, in the order they first connected. */
  participants(): string[] {
    return [...this.sockets.keys()]
  }

  /** The channels `participantId` has a socket on. */
  channelsOf(participantId: string | number): string[] {
    return [...(this.channels.get(String(participantId))?.keys() ?? [])]
  }
}
