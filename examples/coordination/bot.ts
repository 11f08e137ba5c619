/**
 * A simulated player: the same flow as a page (POST /participant, POST /node/<id>, its own channel),
 * over a real socket with the Switchboard client. Run it against a server:
 *   npx tsx bot.ts http://localhost:5000
 */
import { createClient } from '@switchboard/client'
import { WebSocket } from 'ws'
import { COLOURS, gameSchemas } from './messages.js'
import type { Colour } from './messages.js'

export interface BotOptions {
  /** How the bot picks each round. @default a random colour */
  choose?: (round: number) => Colour
  /** Think time before each pick, in ms: uniform in [0, thinkMs]. @default 300 */
  thinkMs?: number
}

/** What happened, in order, as the bot saw it: `sent 1 red`, `picked 1`, `reveal 1 red/blue`, `finished 1/3`. */
export type BotLog = string[]

/** Plays one game on the server at `baseUrl` and resolves with its log once the game is over. */
export async function playBot(baseUrl: string, { choose = () => COLOURS[Math.floor(Math.random() * 3)] ?? 'red', thinkMs = 300 }: BotOptions = {}): Promise<BotLog> {
  const { participant, token } = (await (await fetch(`${baseUrl}/participant`, { method: 'POST' })).json()) as { participant: { id: number }; token: string }
  await fetch(`${baseUrl}/node/${participant.id}`, { method: 'POST' })
  const id = String(participant.id)
  const client = createClient({ url: `${baseUrl.replace(/^http/, 'ws')}/chat`, WebSocket, identity: { participantId: id }, credential: token, schemas: gameSchemas })
  const mine = client.openPrivateChannel()
  const log: BotLog = []
  const pick = (round: number): void => {
    const colour = choose(round)
    setTimeout(() => {
      log.push(`sent ${round} ${colour}`)
      mine.sendTo('experiment_channel', { type: 'pick', round, colour, sender: id })
    }, Math.random() * thinkMs)
  }
  mine.on('start', () => pick(1))
  mine.on('round', ({ round }) => pick(round))
  mine.on('picked', ({ round }) => void log.push(`picked ${round}`))
  mine.on('reveal', ({ round, yours, theirs }) => void log.push(`reveal ${round} ${yours}/${theirs}`))
  const over = new Promise<string>((resolve) => {
    mine.on('finished', ({ matches, rounds }) => resolve(`finished ${matches}/${rounds}`))
    mine.on('partner_left', () => resolve('partner left'))
    setTimeout(() => resolve('timed out'), 60_000).unref()
  })
  log.push(await over)
  client.close()
  return log
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? 'http://localhost:5000'
  console.log((await playBot(url)).join('\n'))
}
