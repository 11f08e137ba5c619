// Types for public/demo-session.js: this tab's participant, kept in sessionStorage across reloads.
import type { SwitchboardError } from '@switchboard/client'

/** Who this tab is; `restored` when it came from sessionStorage (a reload) rather than POST /participant. */
export interface TabParticipant {
  participantId: string
  workerId: string
  token: string
  restored: boolean
}

/** The experiment's assignment, as the tab keeps it. */
export interface KeptAssignment {
  room: string
  partner: string
}

declare global {
  interface Window {
    DemoSession: {
      /** The kept participant, or a new one (POST /participant and /node/<id>), kept for the next load. */
      start(): Promise<TabParticipant>
      assignment(): KeptAssignment | null
      saveAssignment(assignment: KeptAssignment | null): void
      /** On a 4401 refusal of a kept credential, forgets it and reloads as a new participant. */
      startOverWhenRefused<C extends { onError(listener: (error: SwitchboardError & { closeCode?: number }) => void): unknown; onStateChange(listener: (change: { next: string }) => void): unknown }>(channel: C): C
    }
  }
}
