import { EXPERIMENT_CHANNEL, startDemoServer } from '@switchboard/demo'
import { RedisBackend, silentLog } from '@switchboard/server'
import type { DemoServer } from '@switchboard/demo'
import { broadcastTexts, expect, test } from './fixtures.js'
import type { Participant, User } from './fixtures.js'

// Each of three streams (the experiment and two participants) sends this many numbered chat lines.
const MESSAGES = 30
const FAST_RETRY = 'minDelayMs=100&maxDelayMs=400'
const END = 'end of run'

/** What the demo page exposes as window.demo (pages/main.ts). */
interface DemoHandle {
  participantId: string
  client: { channel(name: string): { send(message: object): unknown; sendTo(channel: string, message: object): unknown } | undefined }
}

interface Tally {
  expected: number
  lost: number
  duplicated: number
  /** Streams whose lines did not arrive exactly as 1, 2, 3… */
  disordered: string[]
}

/** Counts, per stream, what `lines` ("<stream> #<n>") lack, repeat or reorder of 1..MESSAGES. */
function tally(lines: string[], streams: string[]): Tally {
  const result: Tally = { expected: streams.length * MESSAGES, lost: 0, duplicated: 0, disordered: [] }
  for (const stream of streams) {
    const numbers = lines.filter((line) => line.startsWith(`${stream} #`)).map((line) => Number(line.slice(stream.length + 2)))
    const unique = new Set(numbers)
    result.lost += MESSAGES - unique.size
    result.duplicated += numbers.length - unique.size
    if (numbers.join() !== Array.from({ length: MESSAGES }, (_, i) => i + 1).join()) result.disordered.push(stream)
  }
  return result
}

/**
 * The experiment and two participants each send a numbered stream while the server the tabs use
 * drops every connection four times and restarts once. Redis holds the history, so it survives the
 * restart. Returns what every tab and the experiment received.
 */
async function chaosRun(mode: 'resume' | 'plain', redisUrl: string, newUser: (baseURL?: string) => Promise<User>) {
  const servers: DemoServer[] = []
  const start = async (port = 0, runExperiment = false) => {
    const backend = await RedisBackend.connect(redisUrl, silentLog)
    const server = await startDemoServer({ port, log: silentLog, broker: backend, state: backend, runExperiment })
    servers.push(server)
    return server
  }
  try {
    // The experiment runs in a process of its own, which stays up; the tabs use the other one.
    const { experiment } = await start(0, true)
    let server = await start()
    const query = FAST_RETRY + (mode === 'plain' ? '&resume=0' : '')
    const tabs: Participant[] = []
    for (let i = 0; i < 2; i++) tabs.push(await (await newUser(server.url)).openTab('module', query))
    const streams = ['experiment', ...tabs.map((tab) => `p${tab.id}`)]

    // What the experiment receives from participants, recorded on its way in.
    const atExperiment: string[] = []
    const receive = experiment.receiveMessage.bind(experiment)
    experiment.receiveMessage = (message, context) => {
      if (context.channel === EXPERIMENT_CHANNEL && message.type === 'chat') atExperiment.push(String(message.text))
      receive(message, context)
    }

    // Each tab sends its stream to everyone and to the experiment, one line every 100 ms.
    for (const tab of tabs) {
      await tab.page.evaluate(
        ({ count, label }) => {
          const page = window as unknown as { demo: DemoHandle; streamSent: number }
          const broadcast = page.demo.client.channel('broadcast_channel')
          page.streamSent = 0
          const timer = setInterval(() => {
            const line = { type: 'chat', text: `${label} #${++page.streamSent}`, sender: page.demo.participantId }
            broadcast?.send(line)
            broadcast?.sendTo('experiment_channel', line)
            if (page.streamSent === count) clearInterval(timer)
          }, 100)
        },
        { count: MESSAGES, label: `p${tab.id}` },
      )
    }
    let experimentSent = 0
    const ticker = setInterval(() => {
      if (experimentSent < MESSAGES) experiment.announce(`experiment #${++experimentSent}`)
    }, 100)
    const reached = (n: number) => expect.poll(() => experimentSent, { timeout: 30_000 }).toBeGreaterThanOrEqual(n)

    let drops = 0
    for (const at of [4, 8]) {
      await reached(at)
      server.dropConnections()
      drops++
    }
    await reached(12)
    const { port } = server
    await server.close()
    await reached(15)
    server = await start(port)
    for (const at of [20, 25]) {
      await reached(at)
      server.dropConnections()
      drops++
    }
    await reached(MESSAGES)
    clearInterval(ticker)
    for (const tab of tabs) await expect.poll(() => tab.page.evaluate(() => (window as unknown as { streamSent: number }).streamSent)).toBe(MESSAGES)

    // Once every tab is back, a last line from each side marks the end: what has not come by then is lost.
    for (const tab of tabs) await tab.expectState((s) => s.connection.broadcast_channel, 'open')
    experiment.announce(END)
    for (const tab of tabs) {
      await tab.page.evaluate((end) => {
        const { demo } = window as unknown as { demo: DemoHandle }
        // Its own id as the sender: the server refuses a message in anyone else's name.
        demo.client.channel('broadcast_channel')?.sendTo('experiment_channel', { type: 'chat', text: end, sender: demo.participantId })
      }, END)
    }
    for (const tab of tabs) await tab.expectState((s) => broadcastTexts(s).includes(END), true)
    await expect.poll(() => atExperiment.filter((line) => line === END).length).toBe(tabs.length)

    const perTab = await Promise.all(tabs.map(async (tab) => ({ tab, state: await tab.state() })))
    return {
      drops,
      restarts: 1,
      streams,
      tabs: perTab.map(({ state }) => ({ tally: tally(broadcastTexts(state), streams), gaps: state.gaps, errors: state.errors })),
      experiment: tally(atExperiment, streams.slice(1)),
    }
  } finally {
    for (const server of servers.reverse()) await server.close()
  }
}

function report(mode: string, run: Awaited<ReturnType<typeof chaosRun>>): { lost: number; duplicated: number } {
  const all = [...run.tabs.map((t) => t.tally), run.experiment]
  const lost = all.reduce((sum, t) => sum + t.lost, 0)
  const duplicated = all.reduce((sum, t) => sum + t.duplicated, 0)
  const expected = all.reduce((sum, t) => sum + t.expected, 0)
  console.log(
    `chaos (${mode}): ${run.streams.length} streams × ${MESSAGES} messages, ${expected} deliveries expected (2 tabs × 3 streams, experiment × 2), ` +
      `${run.drops} drops, ${run.restarts} restart: lost ${lost}, duplicated ${duplicated}`,
  )
  return { lost, duplicated }
}

test('resume mode: through drops and a restart, every tab and the experiment get every message once, in order', async ({ redis, newUser }) => {
  const run = await chaosRun('resume', redis.url, newUser)
  expect(report('resume', run)).toEqual({ lost: 0, duplicated: 0 })
  for (const { tally: t, gaps, errors } of run.tabs) {
    expect(t.disordered).toEqual([])
    expect(gaps).toEqual([])
    expect(errors).toEqual([])
  }
  expect(run.experiment.disordered).toEqual([])
})

test('plain mode: the same run loses messages (the figure is printed)', async ({ redis, newUser }) => {
  const run = await chaosRun('plain', redis.url, newUser)
  const { duplicated } = report('plain', run)
  // Plain mode sends each message once: it can lose messages, never duplicate them.
  expect(duplicated).toBe(0)
})
