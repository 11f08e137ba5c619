// The load side of the fan-out and latency benchmarks, in its own process: SUBSCRIBERS sockets on the
// channel (spread over SUBSCRIBE_URLS), one publisher on PUBLISH_URL sending MESSAGES timestamped frames,
// all at once, or, with RATE, RATE a second paced by a timer after WARMUP frames at that rate that are
// not counted. Latency is send timestamp in the payload to receipt, on this process's one clock. Prints
// the figures as JSON; deliveries still missing after DEADLINE_MS are reported on stderr, not waited for.
import { performance } from 'node:perf_hooks'
import { benchCredentials } from './bench-credentials.js'
import { fail, signal, within } from './deadline.js'
import { chatUrl, openMany, openSocket } from './sockets.js'

const env = process.env
const SUBSCRIBERS = Number(env.SUBSCRIBERS ?? 500)
const MESSAGES = Number(env.MESSAGES ?? 2000)
const RATE = env.RATE ? Number(env.RATE) : undefined
const WARMUP = RATE ? Number(env.WARMUP ?? 0) : 0
const DEADLINE_MS = Number(env.DEADLINE_MS ?? 120_000)
const subscribeUrls = (env.SUBSCRIBE_URLS ?? '').split(',')
const publishUrl = env.PUBLISH_URL ?? subscribeUrls[0] ?? ''
const credentials = await benchCredentials(subscribeUrls[0])
const CHANNEL = 'broadcast_channel'
const expected = SUBSCRIBERS * MESSAGES

/** The figures of one run; `delivered` below `expected` when deliveries were lost or late past the deadline. */
export interface FanoutLoadResult {
  delivered: number
  expected: number
  seconds: number
  perSecond: number
  p50: number
  p99: number
  /** Subscriber sockets that closed during the run. */
  closed: number
}

const latencies = new Float64Array(expected)
const perSubscriber = new Uint32Array(SUBSCRIBERS)
const warmed = new Uint8Array(SUBSCRIBERS)
let delivered = 0
let warmedCount = 0
let closed = 0
let measuring = false
const done = signal()
const warm = signal()

const numberAfter = (text: string, key: string, end: string) => {
  const at = text.indexOf(key)
  return at < 0 ? Number.NaN : Number(text.slice(at + key.length, text.indexOf(end, at)))
}

const subscribers = await openMany(SUBSCRIBERS, (i) => chatUrl(subscribeUrls[i % subscribeUrls.length] ?? '', CHANNEL, i + 1, credentials)).catch((error: unknown) => fail('fanout-load', error))
subscribers.forEach((ws, i) => {
  ws.on('close', () => {
    if (measuring) closed += 1
  })
  ws.on('message', (data) => {
    const receivedAt = performance.now()
    const text = data.toString()
    const sentAt = numberAfter(text, '"t":', '}')
    if (Number.isNaN(sentAt)) {
      // The warm-up frame: every subscriber has one before timing starts, so every subscription is live.
      if (text.includes('"warm"') && warmed[i] === 0) {
        warmed[i] = 1
        if (++warmedCount === SUBSCRIBERS) warm.resolve()
      }
      return
    }
    if (numberAfter(text, '"n":', ',') < WARMUP) return
    perSubscriber[i] = (perSubscriber[i] ?? 0) + 1
    latencies[delivered++] = receivedAt - sentAt
    if (delivered === expected) done.resolve()
  })
})
const publisher = await openSocket(chatUrl(publishUrl, `participant_${SUBSCRIBERS + 1}_channel`, SUBSCRIBERS + 1, credentials)).catch((error: unknown) => fail('fanout-load', error))
const warmTimer = setInterval(() => publisher.send(`${CHANNEL}:{"warm":true}`), 200)
publisher.send(`${CHANNEL}:{"warm":true}`)
await within(warm.promise, 30_000, 'the warm-up frame at every subscriber', () => `${SUBSCRIBERS - warmedCount} of ${SUBSCRIBERS} have none`).catch((error: unknown) => fail('fanout-load', error))
clearInterval(warmTimer)
await new Promise((resolve) => setTimeout(resolve, 300))

const frame = (n: number) => `${CHANNEL}:{"type":"bench","n":${n},"t":${performance.now()}}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Sends every frame, paced or all at once; resolves with when the first counted one went. */
async function publish(): Promise<number> {
  measuring = true
  if (RATE === undefined) {
    const start = performance.now()
    for (let n = 0; n < MESSAGES; n++) publisher.send(frame(n))
    return start
  }
  // Each frame is due at a fixed time from the first, so a late timer does not delay the ones after it.
  const interval = 1000 / RATE
  const begin = performance.now()
  let start = begin
  for (let n = 0; n < WARMUP + MESSAGES; n++) {
    const wait = begin + n * interval - performance.now()
    if (wait > 0) await sleep(wait)
    if (n === WARMUP) start = performance.now()
    publisher.send(frame(n))
  }
  return start
}

const start = await publish()
await within(done.promise, DEADLINE_MS, 'every delivery', () => {
  const short = perSubscriber.filter((count) => count < MESSAGES).length
  return `${expected - delivered} of ${expected} deliveries missing; ${short} subscribers short; ${closed} sockets closed`
}).catch((error: unknown) => console.error(`fanout-load: ${error instanceof Error ? error.message : String(error)}`))
const seconds = (performance.now() - start) / 1000
const sorted = latencies.subarray(0, delivered).sort()
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
const result: FanoutLoadResult = { delivered, expected, seconds, perSecond: delivered / seconds, p50: at(0.5), p99: at(0.99), closed }
console.log(JSON.stringify(result))
process.exit(0)
