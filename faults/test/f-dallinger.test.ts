// f. Dallinger mode on real processes: two `switchboard-server --dallinger` processes on one Redis
// behind a balancer, Python played by a raw Redis connection that PUBLISHes numbered messages on a raw
// channel as Dallinger's experiment does. Mid-stream the adopting process is killed with SIGKILL and
// started again. Every SDK client gets every number once, in order, each with an id; history holds
// each once; nothing went out unadopted: the process that took the lease over adopted what its
// predecessor left.
import { createClient as createSdk } from '@switchboard/client'
import type { Client, MessageMeta } from '@switchboard/client'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startBalancer } from '../harness/balancer.js'
import { newParticipant } from '../harness/participants.js'
import type { ServerProcess } from '../harness/processes.js'
import { Scene } from '../harness/scene.js'
import { waitFor } from '../harness/wait.js'

const COUNT = 150
const INTERVAL_MS = 20

interface Adoption {
  adopter: boolean
  adopted: number
  unadopted: number
}

async function adoption(server: ServerProcess): Promise<Adoption> {
  return ((await (await fetch(`${server.url}/status`)).json()) as { broker: { adoption: Adoption } }).broker.adoption
}

describe('f. Dallinger mode: SIGKILL of the adopting process', () => {
  const scene = new Scene()
  const clients: Client[] = []
  afterAll(async () => {
    for (const client of clients) client.close()
    await scene.stop()
  })

  it('loses no id: every client gets every number of Python once, in order, with its id, and history holds each once', async ({ onTestFailed }) => {
    onTestFailed(() => console.log(scene.diagnostics()))
    const redis = await scene.redis({ persistent: true })
    const common = { redisUrl: redis.url, env: { DALLINGER: '1' } }
    const first = await scene.server({ name: 'dallinger-1', ...common })
    const second = await scene.server({ name: 'dallinger-2', ...common })
    await waitFor('one process to adopt', async () => (await adoption(first)).adopter, { timeoutMs: 10_000 })
    const balancer = scene.track('balancer', await startBalancer([first.port, second.port]))

    const got = new Map<string, Array<{ n: number; id: string | undefined }>>()
    for (let i = 0; i < 4; i++) {
      const { id, token } = await newParticipant(balancer.url)
      const client = createSdk({ url: `${balancer.url.replace('http', 'ws')}/chat`, WebSocket, identity: { participantId: id }, credential: token, minDelayMs: 50, maxDelayMs: 300 })
      clients.push(client)
      const chat = client.openChannel('quorum')
      const seen: Array<{ n: number; id: string | undefined }> = []
      got.set(id, seen)
      chat.onAny((message, meta: MessageMeta) => void (typeof message.n === 'number' && seen.push({ n: message.n, id: meta.id })))
      await chat.ready()
    }

    const python = createClient({ url: redis.url })
    await python.connect()
    const started = Date.now()
    for (let n = 1; n <= COUNT; n++) {
      await python.publish('quorum', JSON.stringify({ type: 'quorum', q: 4, n }))
      // A third of the way: the adopter dies, and comes back.
      if (n === COUNT / 3) void first.restart('SIGKILL')
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
    }
    const all = Array.from({ length: COUNT }, (_, i) => i + 1)
    await waitFor('every client to have every number', () => [...got.values()].every((seen) => seen.length >= COUNT), {
      timeoutMs: 30_000,
      describe: () => [...got.values()].map((seen) => seen.length).join(', '),
    })
    const history = (await python.xRange('switchboard:history:quorum', '-', '+')).map(({ message }) => (JSON.parse(message.d ?? '{}') as { n: number }).n)
    await python.quit()
    const statuses = await Promise.all([first, second].map(adoption))
    console.log(
      `f dallinger: ${COUNT} raw publishes in ${Date.now() - started} ms, adopter SIGKILLed at ${COUNT / 3}; clients got ${[...got.values()].map((seen) => seen.length).join('/')}; ` +
        `history ${history.length}; adopted ${statuses.map((s) => s.adopted).join('+')}, unadopted ${statuses.map((s) => s.unadopted).join('+')}`,
    )
    for (const seen of got.values()) {
      expect.soft(seen.map((entry) => entry.n)).toEqual(all)
      expect.soft(seen.filter((entry) => entry.id === undefined).length, 'delivered without an id').toBe(0)
    }
    expect.soft(history).toEqual(all)
    expect.soft(statuses.reduce((sum, s) => sum + s.unadopted, 0)).toBe(0)
  })
})
