// @switchboard/client/presence: who is on a channel, by participant, from a Switchboard server. A
// separate entry, so an app that does not use it does not carry it.
import type { Unsubscribe } from './handlers.js'

/** What watchPresence needs of a channel (any `Channel`). */
export interface PresenceSource {
  readonly state: string
  onStateChange(listener: (change: { next: string }) => void): Unsubscribe
  _extension(json: string): boolean
  _onExtension(listener: (meta: Record<string, unknown>) => void): Unsubscribe
}

export type PresenceListener = (participant: string) => void

/**
 * Who is on a channel, as the server sees it: by participant (several tabs are one), and only what
 * the participant may read (its own channel). A participant leaves only after it had no socket on the
 * channel for the server's grace period (10 s by default), so a reconnect or a reload is no leave.
 * After this page's own reconnect, the server's answer is compared with what the page knew: only
 * real changes are reported. Against a stock Dallinger server nothing is ever present.
 */
export class ChannelPresence {
  readonly #present = new Set<string>()
  readonly #joins = new Set<PresenceListener>()
  readonly #leaves = new Set<PresenceListener>()
  readonly #stops: Unsubscribe[]

  constructor(channel: PresenceSource) {
    const ask = (): void => void channel._extension('{"type":"presence"}')
    this.#stops = [channel.onStateChange(({ next }) => next === 'open' && ask()), channel._onExtension((meta) => this.#read(meta))]
    if (channel.state === 'open') ask()
  }

  /** Who is here now, in the order they came. */
  get present(): string[] {
    return [...this.#present]
  }

  has(participant: string | number): boolean {
    return this.#present.has(String(participant))
  }

  onJoin(listener: PresenceListener): Unsubscribe {
    this.#joins.add(listener)
    return () => this.#joins.delete(listener)
  }

  onLeave(listener: PresenceListener): Unsubscribe {
    this.#leaves.add(listener)
    return () => this.#leaves.delete(listener)
  }

  close(): void {
    for (const stop of this.#stops) stop()
    this.#joins.clear()
    this.#leaves.clear()
  }

  #read(meta: Record<string, unknown>): void {
    if (meta.type === 'presence' && Array.isArray(meta.present)) {
      const now = new Set(meta.present.map(String))
      for (const participant of [...this.#present]) if (!now.has(participant)) this.#leave(participant)
      for (const participant of now) this.#join(participant)
    } else if (meta.type === 'join' && typeof meta.participant === 'string') this.#join(meta.participant)
    else if (meta.type === 'leave' && typeof meta.participant === 'string') this.#leave(meta.participant)
  }

  #join(participant: string): void {
    if (this.#present.has(participant)) return
    this.#present.add(participant)
    this.#tell(this.#joins, participant)
  }

  #leave(participant: string): void {
    if (this.#present.delete(participant)) this.#tell(this.#leaves, participant)
  }

  #tell(listeners: Set<PresenceListener>, participant: string): void {
    for (const listener of [...listeners]) {
      try {
        listener(participant)
      } catch {
        // A page's listener that throws must not stop the others.
      }
    }
  }
}

/**
 * Who is on `channel` (resume extension): `present`, `has(id)`, `onJoin`, `onLeave`.
 * @example
 * const here = watchPresence(room)
 * here.onLeave((id) => id === partner && show('your partner left'))
 */
export function watchPresence(channel: PresenceSource): ChannelPresence {
  return new ChannelPresence(channel)
}
