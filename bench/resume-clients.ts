// The client side of the resume benchmark, in its own process: CLIENTS SDK clients on one channel (spread
// over SUBSCRIBE_URLS), with the resume extension on or off (RESUME=1 / 0) and a backoff of MIN_DELAY_MS
// to MAX_DELAY_MS. Once every client is open and has heard the warm-up (sent by a raw ws publisher on
// PUBLISH_URL), it drops every socket at once: SIGUSR1 to each of SERVER_PIDS, whose first process then
// publishes MESSAGES messages (servers/switchboard.ts, PUBLISH_ON_DROP) while the clients wait out their
// backoff. Prints as JSON, every time from the drop on this process's clock: when every client was open
// again and, with resume, when every client held every message. A run not done after DEADLINE_MS
// ends with what was missing.
import { performance } from 'node:perf_hooks'
import { createClient } from '@switchboard/client'
import { WebSocket } from 'ws'
import { benchCredentials } from './bench-credentials.js'
import { fail, signal, within } from './deadline.js'
import { chatUrl, openSocket } from './sockets.js'

const env = process.env
const CLIENTS = Number(env.CLIENTS ?? 500)
const MESSAGES = Number(env.MESSAGES ?? 200)
const RESUME = env.RESUME === '1'
const DEADLINE_MS = Number(env.DEADLINE_MS ?? 60_000)
const BACKOFF = { minDelayMs: Number(env.MIN_DELAY_MS ?? 50), maxDelayMs: Number(env.MAX_DELAY_MS ?? 300) }
const subscribeUrls = (env.SUBSCRIBE_URLS ?? '').split(',')
const publishUrl = env.PUBLISH_URL ?? subscribeUrls[0] ?? ''
const serverPids = (env.SERVER_PIDS ?? '').split(',').map(Number)
const credentials = await benchCredentials(subscribeUrls[0])
const CHANNEL = 'broadcast_channel'

export interface ResumeClientsResult {
  clients: number
  messages: number
  resume: boolean
  /** The first client open again. */
  firstOpenMs: number
  /** Every client open again. */
  allOpenMs: number
  /** Every client holding all MESSAGES (resume only: without, they cannot catch up). */
  caughtUpMs: number | null
  /** Messages of the MESSAGES the client with the fewest received, when the run ended. */
  fewestReceived: number
  /** The same for the client with the most: 0 without resume means all were published before any client was back. */
  mostReceived: number
  gaps: number
  errors: number
  firstError: string | null
}

interface Tracker {
  got: Uint8Array
  received: number
  warm: boolean
  dropped: boolean
  reopened: boolean
}

const trackers: Tracker[] = []
let dropAt = Number.NaN
let dropped = 0
let reopened = 0
let caughtUp = 0
let warmed = 0
let gaps = 0
let errors = 0
let firstError: string | null = null
let firstOpenMs = Number.NaN
let allOpenMs = Number.NaN
let caughtUpMs: number | null = null
const since = () => performance.now() - dropAt
const warm = signal()
const done = signal()

for (let i = 0; i < CLIENTS; i++) {
  const id = i + 1
  const tracker: Tracker = { got: new Uint8Array(MESSAGES), received: 0, warm: false, dropped: false, reopened: false }
  trackers.push(tracker)
  const channel = createClient({
    url: `${(subscribeUrls[i % subscribeUrls.length] ?? '').replace('http', 'ws')}/chat`,
    WebSocket,
    identity: { participantId: id },
    credential: credentials.issue(id),
    resume: RESUME,
    logger: { debug() {}, warn() {} },
    ...BACKOFF,
  }).openChannel(CHANNEL)
  channel.onAny((message) => {
    if (message.type === 'warm' && !tracker.warm) {
      tracker.warm = true
      if (++warmed === CLIENTS) warm.resolve()
    }
    const n = message.n
    if (message.type !== 'bench' || typeof n !== 'number' || tracker.got[n] !== 0) return
    tracker.got[n] = 1
    if (++tracker.received === MESSAGES && ++caughtUp === CLIENTS) {
      caughtUpMs = since()
      if (RESUME) done.resolve()
    }
  })
  channel.onGap(() => (gaps += 1))
  channel.onError((error) => {
    errors += 1
    firstError ??= error.message
  })
  channel.onStateChange(({ prev, next }) => {
    if (Number.isNaN(dropAt)) return
    if (prev === 'open' && !tracker.dropped) {
      tracker.dropped = true
      dropped += 1
    }
    if (next !== 'open' || tracker.reopened) return
    tracker.reopened = true
    if (++reopened === 1) firstOpenMs = since()
    if (reopened === CLIENTS) {
      allOpenMs = since()
      if (!RESUME) done.resolve()
    }
  })
}
const report = (error: unknown) => fail('resume-clients', error)

const publisher = await openSocket(chatUrl(publishUrl, `participant_${CLIENTS + 1}_channel`, CLIENTS + 1, credentials)).catch(report)
// Cut with the others; not needed again.
publisher.on('error', () => {})
const warmTimer = setInterval(() => publisher.send(`${CHANNEL}:{"type":"warm"}`), 200)
await within(warm.promise, 60_000, 'every client open with the warm-up message', () => `${CLIENTS - warmed} of ${CLIENTS} without`).catch(report)
clearInterval(warmTimer)
await new Promise((resolve) => setTimeout(resolve, 300))

dropAt = performance.now()
for (const pid of serverPids) process.kill(pid, 'SIGUSR1')

const fewest = () => Math.min(...trackers.map((tracker) => tracker.received))
await within(done.promise, DEADLINE_MS, RESUME ? 'every client to hold every message' : 'every client to be open again', () =>
  `${CLIENTS - dropped} of ${CLIENTS} never dropped, ${CLIENTS - reopened} not open again, ${CLIENTS - caughtUp} short of messages (fewest ${fewest()} of ${MESSAGES}), ${gaps} gaps, ${errors} errors${firstError ? ` (first: ${firstError})` : ''}`,
).catch(report)
const result: ResumeClientsResult = { clients: CLIENTS, messages: MESSAGES, resume: RESUME, firstOpenMs, allOpenMs, caughtUpMs, fewestReceived: fewest(), mostReceived: Math.max(...trackers.map((tracker) => tracker.received)), gaps, errors, firstError }
console.log(JSON.stringify(result))
process.exit(0)
