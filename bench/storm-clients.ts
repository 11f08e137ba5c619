// The client side of the reconnect storm, in its own process: CLIENTS SDK channels. Prints "ready" once all
// are open; after they drop and all are open again, prints the figures as JSON. Each connection attempt
// is recorded when its socket is created.
import { performance } from 'node:perf_hooks'
import { createClient } from '@switchboard/client'
import { WebSocket } from 'ws'
import { benchCredentials } from './bench-credentials.js'
import { fail } from './deadline.js'

const env = process.env
const CLIENTS = Number(env.CLIENTS ?? 1000)
const credentials = await benchCredentials(env.URL)
const attempts: number[] = []
class CountingWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols)
    attempts.push(performance.now())
  }
}
const delays = env.FIXED_DELAY ? { minDelayMs: 1000, maxDelayMs: 1000 } : {}

let open = 0
let dropped: number | undefined
for (let id = 1; id <= CLIENTS; id++) {
  const channel = createClient({
    url: `${env.URL?.replace('http', 'ws')}/chat`,
    WebSocket: CountingWebSocket,
    identity: { participantId: id },
    credential: credentials.issue(id),
    logger: { debug() {}, warn() {} },
    ...delays,
  }).openChannel('broadcast_channel')
  channel.onStateChange(({ prev, next, error }) => {
    // A client that gives up would leave the others waiting for it.
    if (next === 'closed') fail('storm-clients', `client ${id} gave up: ${error?.message ?? 'closed'}`)
    if (next === 'open') open += 1
    if (prev === 'open') {
      open -= 1
      dropped ??= performance.now()
    }
    if (next === 'open' && open === CLIENTS) {
      if (dropped === undefined) console.log('ready')
      else report(dropped)
    }
  })
}

function report(since: number): void {
  const after = attempts.filter((t) => t >= since)
  const windows = new Map<number, number>()
  for (const t of after) windows.set(Math.floor((t - since) / 100), (windows.get(Math.floor((t - since) / 100)) ?? 0) + 1)
  console.log(JSON.stringify({ clients: CLIENTS, reopenMs: performance.now() - since, attempts: after.length, maxAttemptsPer100ms: Math.max(...windows.values()) }))
  process.exit(0)
}
