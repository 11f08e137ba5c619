import { WebSocket } from 'ws'

/** A raw WebSocket peer that records every frame it receives and how it closed. */
export interface Peer {
  ws: WebSocket
  frames: string[]
  /** Resolves with the frames once `count` have arrived (rejects after `timeoutMs`). */
  received(count: number, timeoutMs?: number): Promise<string[]>
  closed: Promise<{ code: number; reason: string }>
  send(frame: string | Buffer, options?: { binary?: boolean }): void
}

export async function peer(baseUrl: string, query: Record<string, string> = {}, options: { protocols?: string[]; autoPong?: boolean } = {}): Promise<Peer> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/chat?${new URLSearchParams(query)}`
  const ws = new WebSocket(url, options.protocols ?? [], { autoPong: options.autoPong ?? true })
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
    received: (count, timeoutMs = 5000) =>
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
