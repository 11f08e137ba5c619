import { WebSocket } from 'ws'

/** A raw WebSocket peer that records every frame it receives and how it closed. */
export interface Peer {
  ws: WebSocket
  frames: string[]
  /**
   * Resolves with the frames once `count` have arrived (rejects after `timeoutMs`: long, since a
   * loaded 2-core machine running every test file at once can stall a process for seconds).
   */
  received(count: number, timeoutMs?: number): Promise<string[]>
  /** Resolves once a frame equal to `frame` has arrived, among any others. */
  receivedFrame(frame: string, timeoutMs?: number): Promise<void>
  closed: Promise<{ code: number; reason: string }>
  send(frame: string | Buffer, options?: { binary?: boolean }): void
}

export async function peer(
  baseUrl: string,
  query: Record<string, string> = {},
  options: { protocols?: string[]; autoPong?: boolean; origin?: string; localAddress?: string; headers?: Record<string, string> } = {},
): Promise<Peer> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/chat?${new URLSearchParams(query)}`
  const { localAddress, headers, origin } = options
  const ws = new WebSocket(url, options.protocols ?? [], { autoPong: options.autoPong ?? true, ...(origin ? { origin } : {}), ...(localAddress ? { localAddress } : {}), ...(headers ? { headers } : {}) })
  const frames: string[] = []
  const waiters: Array<() => void> = []
  ws.on('message', (data) => {
    frames.push(data.toString())
    for (const wake of waiters.splice(0)) wake()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    frames,
    closed,
    send: (frame, sendOptions) => ws.send(frame, { binary: sendOptions?.binary ?? false }),
    receivedFrame: (frame, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no frame ${frame} in ${JSON.stringify(frames)}`)), timeoutMs)
        const check = () => {
          if (frames.includes(frame)) {
            clearTimeout(timer)
            resolve()
          } else waiters.push(check)
        }
        check()
      }),
    received: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} frames, got ${frames.length}: ${JSON.stringify(frames)}`)), timeoutMs)
        const check = () => {
          if (frames.length >= count) {
            clearTimeout(timer)
            resolve(frames.slice(0, count))
          } else waiters.push(check)
        }
        check()
      }),
  }
}

/** A new participant of the server and the query a socket of theirs connects with. */
export async function newParticipant(baseUrl: string): Promise<{ id: string; token: string; query(channel: string): Record<string, string> }> {
  const { participant, token } = (await (await fetch(`${baseUrl}/participant`, { method: 'POST' })).json()) as { participant: { id: number }; token: string }
  const id = String(participant.id)
  return { id, token, query: (channel) => ({ channel, participant_id: id, token }) }
}
