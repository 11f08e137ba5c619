// 1. Client dispatch: the SDK's decode → parse → filter → dispatch against the hand-written Dallinger
// recipe (prefix check, JSON.parse, switch on type, a room filter) on the same frames, in one process;
// then both again with a zod schema, then with the resume extension, where a third receiver, the
// recipe reading ids by hand, joins them. In each round every receiver runs once, in an order that
// rotates from round to round; a ratio is the median of the rounds' ratios (of runs side by side, so a
// slow moment of the machine hits both). All hear the frames as a page does, as message events of a
// socket (the same fake, stamped as a browser stamps them): a recipe is a page's `onmessage`.
import { createClient } from '@switchboard/client'
import { FakeWebSocket } from '@switchboard/client/testing'
import { z } from 'zod'
import { fmt, median } from './harness.js'

/** Frames per round, and rounds timed (after one to warm up): a multiple of 2 and 3, so that each receiver is first as often. */
export const MESSAGES_PER_ROUND = 50_000
export const TIMED_ROUNDS = 12
const N = MESSAGES_PER_ROUND
const CHANNEL = 'broadcast_channel'
const frames = Array.from({ length: N }, (_, i) => {
  const type = ['chat', 'move', 'roster'][i % 3]
  return `${CHANNEL}:${JSON.stringify({ type, text: `message ${i}`, room: i % 2 ? 'room_1' : 'room_2', sender: i % 50, x: i })}`
})
// What each receiver dispatches of a round: every move, and the chats in room_1.
const DISPATCHED_PER_ROUND = frames.filter((_, i) => i % 3 === 1 || (i % 3 === 0 && i % 2 === 1)).length

// The same messages as a Switchboard server sends them to a resuming socket: with increasing ids.
const framesWithIds = frames.map((frame, i) => `1795306221240-${i + 1} ${frame}`)

const ChatSchema = z.object({ type: z.literal('chat'), text: z.string(), room: z.string(), sender: z.number() })
const MoveSchema = z.object({ type: z.literal('move'), x: z.number() })

/** What the bench needs of a channel, with or without schemas. */
interface Dispatcher {
  on(type: 'chat' | 'move', handler: () => void, filter?: { room: string }): unknown
}

export const VARIANTS = ['plain', 'zod', 'resume'] as const
export type Variant = (typeof VARIANTS)[number]

async function sdkChannel(variant: Variant): Promise<{ channel: Dispatcher; socket: FakeWebSocket; close(): void }> {
  const client = createClient({
    url: 'ws://bench/chat',
    WebSocket: FakeWebSocket,
    identity: { participantId: 1 },
    lifecycle: null,
    resume: variant === 'resume',
    ...(variant === 'zod' ? { schemas: { chat: ChatSchema, move: MoveSchema } } : {}),
  })
  const channel = client.openChannel(CHANNEL)
  await new Promise((resolve) => setTimeout(resolve, 5))
  const socket = FakeWebSocket.latest()
  socket.open()
  if (variant === 'resume') socket.receive(':{"type":"hello","v":1,"last":"0-0"}')
  return { channel, socket, close: () => client.close() }
}

function time(run: () => void): number {
  const start = process.hrtime.bigint()
  run()
  return Number(process.hrtime.bigint() - start) / 1e9
}

export interface DispatchFigures {
  sdk: number
  recipe: number
  ratio: number
  extraNs: number
  /** Resume only: the recipe that also reads each frame's id (see readingIds). */
  ids?: {
    /** msg/s */
    recipe: number
    /** Its ratio to the plain recipe: what reading ids costs a page, a reference for the SDK's resume ratio. */
    ceiling: number
    /** The SDK's ratio to it. */
    sdkRatio: number
    /** What reading the ids adds to each message, in ns. */
    extraNs: number
  }
}
export type DispatchResult = Record<Variant, DispatchFigures>

/** One variant's receivers and their rounds of frames, ready to be timed or profiled. */
export interface DispatchSetup {
  rounds: number
  /** Hands round `round`'s frames to the SDK's socket. */
  sdk(round: number): void
  /** Hands round `round`'s frames to the recipe's socket. */
  recipe(round: number): void
  /** Resume only: round `round`'s numbered frames to the recipe that reads ids (see readingIds). */
  idRecipe?(round: number): void
  /** Closes the client; throws unless each receiver that ran dispatched what it should have. */
  finish(): void
}

export async function setupDispatch(variant: Variant): Promise<DispatchSetup> {
  let sdkCount = 0
  const { channel, socket, close } = await sdkChannel(variant)
  channel.on('chat', () => sdkCount++, { room: 'room_1' })
  channel.on('move', () => sdkCount++)
  // Each hand-written receiver hears its frames as a page's onmessage, through a socket like the SDK's.
  const listen = (receive: (data: string) => void) => {
    const fake = new FakeWebSocket('ws://bench/chat')
    fake.addEventListener('message', (event) => receive((event as { data: string }).data))
    return fake
  }
  const recipe = new Recipe(variant === 'zod')
  const recipeSocket = listen(recipe.receive)
  // Every round's frames are new to each receiver, as a page's are: decoded from bytes as a socket's
  // messages are (flat strings, not concatenations), and not in the processor's cache from an earlier
  // round. (The recipe once read the same frames every round, in cache, while a resuming channel,
  // which drops ids it has seen, read new ones.) All made before any round is timed, so that no
  // round's collector works on frames just made.
  const rounds = TIMED_ROUNDS + 1
  const decode = (frame: string) => Buffer.from(frame).toString()
  const sdkRounds = Array.from({ length: rounds }, (_, round) =>
    variant === 'resume' ? framesWithIds.map((frame) => decode(frame.replace('1795306221240-', `${1795306221240 + round}-`))) : frames.map(decode),
  )
  const recipeRounds = Array.from({ length: rounds }, () => frames.map(decode))
  const roundsRun = { sdk: 0, recipe: 0, ids: 0 }
  let idsRecipe: Recipe | undefined
  const setup: DispatchSetup = {
    rounds,
    sdk: (round) => {
      roundsRun.sdk++
      for (const data of sdkRounds[round] ?? []) socket.receive(data)
    },
    recipe: (round) => {
      roundsRun.recipe++
      for (const data of recipeRounds[round] ?? []) recipeSocket.receive(data)
    },
    finish: () => {
      close()
      const check = (who: string, count: number, ran: number) => {
        if (count !== ran * DISPATCHED_PER_ROUND) throw new Error(`${who} dispatched ${count} in ${ran} rounds, not ${ran * DISPATCHED_PER_ROUND}`)
      }
      check('the SDK', sdkCount, roundsRun.sdk)
      check('the recipe', recipe.count, roundsRun.recipe)
      if (idsRecipe) check('the id recipe', idsRecipe.count, roundsRun.ids)
    },
  }
  if (variant !== 'resume') return setup
  // The id recipe's own copies of the numbered frames (the SDK's rounds are read once each).
  idsRecipe = new Recipe(false)
  const idSocket = listen(readingIds(idsRecipe.receive))
  const idRounds = sdkRounds.map((round) => round.map(decode))
  setup.idRecipe = (round) => {
    roundsRun.ids++
    for (const data of idRounds[round] ?? []) idSocket.receive(data)
  }
  return setup
}

/** The hand-written Dallinger recipe: prefix check, JSON.parse, switch on type, a room filter; with schemas, safeParse. */
class Recipe {
  count = 0
  constructor(private readonly withSchemas: boolean) {}

  readonly receive = (data: string): void => {
    if (data.indexOf(`${CHANNEL}:`) !== 0) return
    const msg = JSON.parse(data.substring(CHANNEL.length + 1))
    switch (msg.type) {
      case 'chat':
        if (this.withSchemas && !ChatSchema.safeParse(msg).success) return
        if (msg.room === 'room_1') this.count++
        break
      case 'move':
        if (this.withSchemas && !MoveSchema.safeParse(msg).success) return
        this.count++
        break
    }
  }
}

/**
 * The least a resuming page does before the recipe, hand-written: read the id's two numbers, drop a
 * frame that is not after the last, keep the id, cut it off. Read character by character, the fastest
 * way measured (a page that finds the '-' and ' ' with indexOf and converts with `+` is slower). What
 * this costs over the plain recipe is the ceiling of any resume implementation against the recipe.
 */
function readingIds(next: (frame: string) => void): (data: string) => void {
  let lastMs = -1
  let lastSeq = 0
  let last = ''
  return (data) => {
    let at = 0
    let ms = 0
    let seq = 0
    for (let code = data.charCodeAt(0); code >= 48 && code <= 57; code = data.charCodeAt(++at)) ms = ms * 10 + code - 48
    const dash = at
    if (dash === 0 || data.charCodeAt(dash) !== 45) return next(data)
    for (let code = data.charCodeAt(++at); code >= 48 && code <= 57; code = data.charCodeAt(++at)) seq = seq * 10 + code - 48
    if (at === dash + 1 || data.charCodeAt(at) !== 32) return next(data)
    if (ms < lastMs || (ms === lastMs && seq <= lastSeq)) return
    lastMs = ms
    lastSeq = seq
    last = data.slice(0, at)
    next(data.slice(last.length + 1))
  }
}


export async function benchDispatch(): Promise<DispatchResult> {
  const result = {} as DispatchResult
  for (const variant of VARIANTS) {
    const setup = await setupDispatch(variant)
    const times = { sdk: [] as number[], recipe: [] as number[], ids: [] as number[] }
    const receivers = (Object.keys(times) as Array<keyof typeof times>).filter((name) => name !== 'ids' || setup.idRecipe)
    const run = { sdk: setup.sdk, recipe: setup.recipe, ids: (round: number) => setup.idRecipe?.(round) }
    for (let round = 0; round < setup.rounds; round++) {
      // The order rotates, so that no receiver always runs on what another left (its garbage, the cache).
      for (let turn = 0; turn < receivers.length; turn++) {
        const name = receivers[(round + turn) % receivers.length] as keyof typeof times
        const seconds = time(() => run[name](round))
        if (round > 0) times[name].push(seconds) // round 0 warms up
      }
    }
    setup.finish()
    const sdk = N / median(times.sdk)
    const hand = N / median(times.recipe)
    const ratio = pairedRatio(times.recipe, times.sdk)
    // What the SDK adds to each message, in ns: the figure a profile has to account for.
    const extraNs = (median(times.sdk.map((t, i) => t - (times.recipe[i] ?? 0))) / N) * 1e9
    result[variant] = { sdk, recipe: hand, ratio, extraNs }
    console.log(`dispatch (${variant}): SDK ${fmt(sdk)} msg/s, hand-written ${fmt(hand)} msg/s, ratio ${fmt(ratio, 2)}×, ${fmt(extraNs, 0)} ns more per message`)
    if (setup.idRecipe) {
      const ids = {
        recipe: N / median(times.ids),
        ceiling: pairedRatio(times.recipe, times.ids),
        sdkRatio: pairedRatio(times.ids, times.sdk),
        extraNs: (median(times.ids.map((t, i) => t - (times.recipe[i] ?? 0))) / N) * 1e9,
      }
      result[variant].ids = ids
      console.log(`  the recipe reading ids as well: ${fmt(ids.recipe)} msg/s, ${fmt(ids.ceiling, 2)}× the recipe, ${fmt(ids.extraNs, 0)} ns more per message; the SDK ${fmt(ids.sdkRatio, 2)}× it`)
    }
  }
  return result
}

/** The median of the rounds' ratios of `reference` time to `measured` time: throughput of measured / of reference. */
function pairedRatio(reference: number[], measured: number[]): number {
  return median(measured.map((t, i) => (reference[i] ?? 0) / t))
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDispatch()
