// Types for public/demo-ui.js, the rendering both demo pages share.
import type { ConnectionOptions, Gap, StateChange, SwitchboardError } from '@switchboard/client'

/** What track() needs of a channel, whatever its schemas. */
interface Trackable {
  readonly name: string
  readonly state: string
  onStateChange(listener: (change: StateChange) => void): unknown
  onError(listener: (error: SwitchboardError) => void): unknown
  onGap(listener: (gap: Gap) => void): unknown
}

export interface PageState {
  participantId: string | null
  /** True when this tab's participant was kept from before a reload (demo-session.js), not created. */
  restored: boolean
  connection: Record<string, string>
  /** How often each channel went from open to reconnecting. */
  reconnects: Record<string, number>
  roster: string[]
  broadcast: Array<{ sender: string; text: string }>
  /** From the experiment's assignment (or kept from before a reload); null while waiting for a partner. */
  room: string | null
  partner: string | null
  roomChat: Array<{ room: string; sender: string; text: string }>
  inbox: Array<{ type: 'whisper'; sender: string; text: string } | { type: 'assignment'; room: string; partner: string }>
  errors: Array<{ code: string; message: string; raw?: string }>
  /** Holes a reconnect could not fill (resume extension): the server's history had dropped them. */
  gaps: Array<{ channel: string; since: string; last: string }>
  /** The server clock's estimate: the server's clock minus this page's, give or take `uncertaintyMs`. */
  clock: { offsetMs: number; uncertaintyMs: number; rttMs: number } | null
  /** The room's timed round, in the server's time. */
  round: { room: string; startsAt: number; endsAt: number } | null
  /** This page's clock (performance.timeOrigin + performance.now()) when the round began here. */
  roundStartedAt: number | null
  /** Whether the partner is on the room's channel (presence); null before there is a partner to watch. */
  partnerHere: boolean | null
}

/** What followRoster() and followPartner() need of a presence (watchPresence). */
interface WatchablePresence {
  readonly present: string[]
  has(participant: string | number): boolean
  onJoin(listener: (participant: string) => void): unknown
  onLeave(listener: (participant: string) => void): unknown
}

/** What watchClock() needs of a server clock. */
interface WatchableClock {
  now(): number | undefined
  at(serverTime: number, callback: () => void): unknown
  onChange(listener: (estimate: { offsetMs: number; uncertaintyMs: number; rttMs: number }) => void): unknown
}

declare global {
  interface Window {
    DemoUI: {
      createState(): PageState
      mount(root: HTMLElement): void
      render(state: PageState): void
      /** `handler` returns false when it sent nothing: the typed text then stays. */
      onSubmit(testid: string, handler: (fields: Record<string, string>) => boolean | void): void
      track<C extends Trackable>(state: PageState, channel: C, render: () => void): C
      connectionOptions(): ConnectionOptions
      watchClock(state: PageState, clock: WatchableClock, render: () => void): void
      followRound(state: PageState, round: { room: string; startsAt: number; endsAt: number }, render: () => void): void
      followRoster(state: PageState, presence: WatchablePresence, render: () => void): void
      followPartner(state: PageState, presence: WatchablePresence, render: () => void, room: string): void
    }
  }
}
