// The load side of the fan-out benchmark, in its own process: SUBSCRIBERS sockets on the channel (spread
// over SUBSCRIBE_URLS), one publisher on PUBLISH_URL sending MESSAGES timestamped frames as fast as it can.
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'
import { benchCredentials } from './bench-credentials.js'

const env = process.env
const SUBSCRIBERS = Number(env.SUBSCRIBERS ?? 500)
const MESSAGES = Number(env.MESSAGES ?? 2000)
const subscribeUrls = (env.SUBSCRIBE_URLS ?? '').split(',')
const publishUrl = env.PUBLISH_URL ?? subscribeUrls[0] ?? ''
const credentials = await benchCredentials(subscribeUrls[0])
const CHANNEL = 'broadcast_channel'

const socketUrl = (base: string, channel: string, id: number) =>
  `${base.replace('http', 'ws')}/chat?channel=${channel}&participant_id=${id}&token=${credentials.issue(id)}`
const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })

const latencies = new Float64Array(SUBSCRIBERS * MESSAGES)
let delivered = 0
let warmed = 0
let resolveDone: () => void = () => {}
const done = new Promise<void>((resolve) => (resolveDone = resolve))
let resolveWarm: () => void = () => {}
const warm = new Promise<void>((resolve) => (resolveWarm = resolve))

for (let i = 0; i < SUBSCRIBERS; i++) {
  const ws = await open(socketUrl(subscribeUrls[i % subscribeUrls.length] ?? '', CHANNEL, i + 1))
  ws.on('message', (data) => {
    const text = data.toString()
    const at = text.indexOf('"t":')
    if (at < 0) {
      if (text.includes('"warm"') && ++warmed === SUBSCRIBERS) resolveWarm()
      return
    }
    latencies[delivered++] = performance.now() - Number(text.slice(at + 4, text.indexOf('}', at)))
    if (delivered === SUBSCRIBERS * MESSAGES) resolveDone()
  })
}
const publisher = await open(socketUrl(publishUrl, `participant_${SUBSCRIBERS + 1}_channel`, SUBSCRIBERS + 1))
// A warm-up frame that reaches every subscriber: every subscription is live before timing starts.
const warmTimer = setInterval(() => publisher.send(`${CHANNEL}:{"warm":true}`), 200)
publisher.send(`${CHANNEL}:{"warm":true}`)
await warm
clearInterval(warmTimer)
await new Promise((resolve) => setTimeout(resolve, 300))

const start = performance.now()
for (let n = 0; n < MESSAGES; n++) publisher.send(`${CHANNEL}:{"type":"bench","n":${n},"t":${performance.now()}}`)
const timeout = setTimeout(resolveDone, 120_000)
await done
clearTimeout(timeout)
const seconds = (performance.now() - start) / 1000
const sorted = Array.from(latencies.subarray(0, delivered)).sort((a, b) => a - b)
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
console.log(JSON.stringify({ delivered, expected: SUBSCRIBERS * MESSAGES, seconds, perSecond: delivered / seconds, p50: at(0.5), p99: at(0.99) }))
process.exit(0)
