// A CPU profile of the dispatch benchmark: where each message's time goes, in ns per message by
// function (self time), the SDK beside the recipe, for one variant (plain, zod or resume):
//   tsx --conditions=@switchboard/source dispatch-profile.ts resume
// V8 inlines small functions into their callers, and JSON.parse's time counts to the function that
// calls it, so the SDK's layers show as one line. To see them apart (each call then costs more, so the
// figures are larger than in the benchmark), run node with inlining off, through tsx's loader:
//   node --no-turbo-inlining --import tsx --conditions=@switchboard/source dispatch-profile.ts resume
import { Session } from 'node:inspector/promises'
import { MESSAGES_PER_ROUND, VARIANTS, setupDispatch } from './dispatch.js'
import type { Variant } from './dispatch.js'
import { fmt } from './harness.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  startTime: number
  endTime: number
}

/** Self time by function, in ns per message, largest first. */
export type ProfileRows = Array<[name: string, ns: number]>
export interface DispatchProfile {
  variant: Variant
  sdk: ProfileRows
  recipe: ProfileRows
}

export async function profileDispatch(variant: Variant): Promise<DispatchProfile> {
  const setup = await setupDispatch(variant)
  setup.sdk(0)
  setup.recipe(0)
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 50 })
  const profile = async (run: (round: number) => void): Promise<ProfileRows> => {
    await session.post('Profiler.start')
    for (let round = 1; round < setup.rounds; round++) run(round)
    return byFunction((await session.post('Profiler.stop')).profile as Profile, (setup.rounds - 1) * MESSAGES_PER_ROUND)
  }
  try {
    return { variant, sdk: await profile(setup.sdk), recipe: await profile(setup.recipe) }
  } finally {
    session.disconnect()
    setup.finish()
  }
}

function byFunction(profile: Profile, messages: number): ProfileRows {
  const perSample = ((profile.endTime - profile.startTime) * 1000) / profile.samples.length / messages
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const totals = new Map<string, number>()
  for (const id of profile.samples) {
    const frame = nodes.get(id)
    const name = frame ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}`.trim() : '?'
    totals.set(name, (totals.get(name) ?? 0) + perSample)
  }
  return [...totals].sort((a, b) => b[1] - a[1])
}

export const profileTotal = (rows: ProfileRows): number => rows.reduce((sum, [, ns]) => sum + ns, 0)

/** The functions that took at least 1 ns per message, at most `count` of them. */
export const topRows = (rows: ProfileRows, count = 12): ProfileRows => rows.filter(([, ns]) => ns >= 1).slice(0, count)

if (import.meta.url === `file://${process.argv[1]}`) {
  const variant = VARIANTS.find((name) => name === (process.argv[2] ?? 'resume'))
  if (!variant) throw new Error(`variant: ${VARIANTS.join(', ')}, not ${process.argv[2]}`)
  const result = await profileDispatch(variant)
  for (const [label, rows] of [['SDK', result.sdk], ['recipe', result.recipe]] as const) {
    console.log(`${label} (${variant}): ${fmt(profileTotal(rows), 0)} ns per message`)
    for (const [name, ns] of topRows(rows, 14)) console.log(`  ${fmt(ns, 0).padStart(5)} ns  ${name}`)
  }
  process.exit(0)
}
