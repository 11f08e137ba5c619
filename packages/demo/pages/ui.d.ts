// Types for public/demo-ui.js, the rendering both demo pages share.
import type { Channel, ConnectionOptions } from '@switchboard/client'

export interface PageState {
  participantId: string | null
  connection: Record<string, string>
  /** How often each channel went from open to reconnecting. */
  reconnects: Record<string, number>
  roster: string[]
  broadcast: Array<{ sender: string; text: string }>
  room: string | null
  partner: string | null
  roomChat: Array<{ room: string; sender: string; text: string }>
  inbox: Array<{ type: 'whisper'; sender: string; text: string } | { type: 'assignment'; room: string; partner: string }>
  errors: Array<{ code: string; message: string; raw?: string }>
}

declare global {
  interface Window {
    DemoUI: {
      createState(): PageState
      mount(root: HTMLElement, title: string): void
      render(state: PageState): void
      onSubmit(testid: string, handler: (fields: Record<string, string>) => void): void
      post<T>(path: string): Promise<T>
      track(state: PageState, channel: Channel, render: () => void): Channel
      connectionOptions(): ConnectionOptions
    }
  }
}
