/**
 * The coordination game's server side. Players are paired as they arrive; each round both pick one of
 * three colours; a pick stays on the server until both are in, then each player sees the other's.
 * Three rounds. Run it with: npx switchboard-server --experiment ./experiment.ts --pages ./public
 */
import { CONTROL_CHANNEL, asControlEvent } from '@switchboard/server'
import type { ChannelRules, Experiment, ExperimentApi, MessageContext } from '@switchboard/server'
import { COLOURS, PickSchema, ROUNDS } from './messages.js'
import type { Colour, PickMessage, ToPlayer } from './messages.js'

const inbox = (id: string) => `participant_${id}_channel`
const LEAVE_GRACE_MS = 5000

interface Game {
  players: [string, string]
  round: number
  picks: Map<string, Colour>
  matches: number
  over: boolean
}

export default class CoordinationGame implements Experiment {
  readonly channel = 'experiment_channel'
  readonly channelRules: ChannelRules = [
    // Players send their picks here; only the experiment reads them, so no page sees a pick early.
    { channel: 'experiment_channel', subscribe: 'experiment', publish: 'everyone' },
    // Each player's own channel: only they read it, only the experiment writes it.
    { channel: 'participant_{id}_channel', subscribe: 'owner', publish: 'experiment' },
  ]
  private api: ExperimentApi | undefined
  private waiting: string | undefined
  private readonly games = new Map<string, Game>()

  start(api: ExperimentApi): void {
    this.api = api
  }

  receiveMessage(message: Record<string, unknown>, { channel, participantId }: MessageContext): void {
    if (channel === CONTROL_CHANNEL) return this.onConnection(message)
    const pick = PickSchema.safeParse(message)
    if (!pick.success || participantId === null) {
      this.api?.log('warn', 'game.bad_message', { participantId, issues: pick.error?.issues })
      return
    }
    this.onPick(participantId, pick.data)
  }

  private onConnection(message: Record<string, unknown>): void {
    const event = asControlEvent(message)
    const id = event?.client.participant_id
    if (!event || id === null || id === undefined) return
    // A player is ready once its own channel is open: from then on nothing we send it is missed.
    if (event.type === 'channel' && event.event === 'subscribed' && event.channel === inbox(id)) this.join(id)
    if (event.type === 'websocket' && event.event === 'disconnected' && !this.api?.participants().includes(id)) this.leave(id)
  }

  private join(id: string): void {
    const game = this.games.get(id)
    if (game) return this.resume(id, game)
    const partner = this.waiting
    if (partner === undefined || partner === id || !this.api?.participants().includes(partner)) {
      this.waiting = id
      return
    }
    this.waiting = undefined
    const created: Game = { players: [partner, id], round: 1, picks: new Map(), matches: 0, over: false }
    for (const player of created.players) {
      this.games.set(player, created)
      this.tell(player, { type: 'start', partner: this.partnerOf(created, player), rounds: ROUNDS, colours: [...COLOURS] })
    }
  }

  /** A player back after a reload or a drop: where the game stands, never the partner's pending pick. */
  private resume(id: string, game: Game): void {
    this.tell(id, { type: 'start', partner: this.partnerOf(game, id), rounds: ROUNDS, colours: [...COLOURS] })
    if (game.over) return this.tell(id, { type: 'finished', matches: game.matches, rounds: ROUNDS })
    this.tell(id, { type: 'round', round: game.round })
    const mine = game.picks.get(id)
    if (mine) this.tell(id, { type: 'picked', round: game.round, colour: mine })
  }

  private onPick(id: string, { round, colour }: PickMessage): void {
    const game = this.games.get(id)
    // A pick for another round, a second pick, or one from a player without a game changes nothing.
    if (!game || game.over || round !== game.round || game.picks.has(id)) return
    game.picks.set(id, colour)
    this.tell(id, { type: 'picked', round, colour })
    if (game.picks.size < 2) return
    const [a, b] = game.players
    const [pickA, pickB] = [game.picks.get(a), game.picks.get(b)] as [Colour, Colour]
    const match = pickA === pickB
    if (match) game.matches += 1
    this.tell(a, { type: 'reveal', round, yours: pickA, theirs: pickB, match })
    this.tell(b, { type: 'reveal', round, yours: pickB, theirs: pickA, match })
    game.picks.clear()
    if (round === ROUNDS) {
      game.over = true
      for (const player of game.players) this.tell(player, { type: 'finished', matches: game.matches, rounds: ROUNDS })
      return
    }
    game.round += 1
    for (const player of game.players) this.tell(player, { type: 'round', round: game.round })
  }

  private leave(id: string): void {
    if (this.waiting === id) this.waiting = undefined
    // A reload or a short drop is no departure: the partner is told only if the player stays away.
    const timer = setTimeout(() => {
      const game = this.games.get(id)
      if (!game || game.over || this.api?.participants().includes(id)) return
      this.tell(this.partnerOf(game, id), { type: 'partner_left' })
    }, LEAVE_GRACE_MS)
    timer.unref()
  }

  private partnerOf(game: Game, id: string): string {
    return game.players[0] === id ? game.players[1] : game.players[0]
  }

  private tell(id: string, message: ToPlayer): void {
    this.api?.publishToSubscribers(message, inbox(id))
  }
}
