// The raw `ws` sockets of the load scripts: a Dallinger-shaped /chat URL with a bench credential, and an
// open that fails with the reason (refused, or not open in time) instead of waiting for ever.
import { WebSocket } from 'ws'
import type { Credentials } from '@switchboard/server'
import { within } from './deadline.js'

/** The /chat URL of participant `id` on `channel` of the server at `base` (http://host:port). */
export function chatUrl(base: string, channel: string, id: number, credentials: Credentials): string {
  return `${base.replace('http', 'ws')}/chat?channel=${channel}&participant_id=${id}&token=${credentials.issue(id)}`
}

/** A socket once open; rejects if it errors, closes or has not opened within `timeoutMs`. */
export function openSocket(url: string, timeoutMs = 15_000): Promise<WebSocket> {
  const ws = new WebSocket(url)
  const opened = new Promise<WebSocket>((resolve, reject) => {
    ws.once('open', () => {
      // From here on an error is the script's to handle (unhandled, it ends the script).
      ws.off('error', reject)
      resolve(ws)
    })
    ws.on('error', reject)
    ws.once('unexpected-response', (_, response) => reject(new Error(`${url.split('?')[0]} answered ${response.statusCode}`)))
  })
  return within(opened, timeoutMs, `a socket to open (${url.split('&token')[0]})`).catch((error: unknown) => {
    ws.terminate()
    throw error
  })
}

/** Opens `count` sockets, `urlOf(0)` … `urlOf(count - 1)`, at most `concurrency` handshakes at a time; in that order. */
export async function openMany(count: number, urlOf: (index: number) => string, concurrency = 50): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array<WebSocket>(count)
  let next = 0
  const worker = async () => {
    for (let index = next++; index < count; index = next++) sockets[index] = await openSocket(urlOf(index))
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return sockets
}
