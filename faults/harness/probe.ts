import { WebSocket } from 'ws'
import { waitFor } from './wait.js'

/** How a raw socket with a given credential fared. */
export interface ProbeOutcome {
  /** The WebSocket handshake completed (the server may still close it at once). */
  upgraded: boolean
  /** Every frame it received: a `hello` means it was let in, anything after it was read. */
  frames: string[]
  /** Its close, or undefined when it was still open at the deadline (it was let in and kept). */
  close: { code: number; reason: string } | undefined
}

/**
 * Opens one raw resuming socket on `channel` as participant `id` with `token`, asking for the whole
 * history (`sb_since=0-0`, so anything it is let read arrives), and waits until the server closes it
 * or `admittedForMs` pass with it open.
 */
export async function probeSocket(baseUrl: string, channel: string, id: string, token: string, admittedForMs = 3000): Promise<ProbeOutcome> {
  const query = new URLSearchParams({ channel, participant_id: id, token, sb: '1', sb_session: `probe${Date.now().toString(36)}`, sb_seq: '1', sb_since: '0-0' })
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/chat?${query}`)
  const outcome: ProbeOutcome = { upgraded: false, frames: [], close: undefined }
  let failed: string | undefined
  ws.on('open', () => (outcome.upgraded = true))
  ws.on('message', (data) => outcome.frames.push(data.toString()))
  ws.on('unexpected-response', (_request, response) => {
    failed = `HTTP ${response.statusCode}`
    ws.terminate()
  })
  ws.on('error', (error) => (failed ??= error.message))
  ws.on('close', (code, reason) => (outcome.close = { code, reason: reason.toString() }))
  try {
    await waitFor(`the probe on ${channel} to be closed`, () => outcome.close !== undefined, { timeoutMs: admittedForMs })
  } catch {
    // Still open at the deadline: it was let in, which the outcome says.
  }
  const seen: ProbeOutcome = { upgraded: outcome.upgraded, frames: [...outcome.frames], close: outcome.close }
  if (seen.close === undefined) ws.terminate()
  if (failed && !seen.upgraded) seen.close = { code: -1, reason: failed }
  return seen
}
