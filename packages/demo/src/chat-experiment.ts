import { CONTROL_CHANNEL, ParticipantStore, asControlEvent } from '@switchboard/server'
import type { ChannelRules, ControlEvent, Experiment, ExperimentApi, MessageContext, PresenceEvent } from '@switchboard/server'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, WhisperSchema, privateChannel } from './messages.js'
import type { AssignmentMessage, ChatMessage, CreateChatroomMessage, RosterMessage, RoundMessage, WhisperMessage } from './messages.js'

/**
 * The demo chat experiment: broadcast chat (relayed by the server alone), participants paired into
 * chatrooms as they arrive, each told its room and partner privately, whispers relayed to their
 * recipient's private channel, and a roster kept from the control channel.
 */
/** How often, at most, the roster is broadcast. */
const ROSTER_EVERY_MS = 250
/** A room's timed round starts this long after the room is made, and lasts ROUND_MS. */
export const ROUND_DELAY_MS = 3000
export const ROUND_MS = 60_000

export class ChatExperiment implements Experiment {
  readonly channel = EXPERIMENT_CHANNEL
  readonly channelRules: ChannelRules = [
    // Everyone chats here, but rooms and the roster come from the experiment alone.
    { channel: BROADCAST_CHANNEL, subscribe: 'everyone', publish: 'everyone', experimentOnly: ['create_chatroom', 'close_chatroom', 'roster'] },
    // The inbox: whispers pass through it, so only the experiment reads it.
    { channel: EXPERIMENT_CHANNEL, subscribe: 'experiment', publish: 'everyone' },
    { channel: 'participant_{id}_channel', subscribe: 'owner', publish: 'owner' },
    // The rooms this experiment creates, each for the two participants it paired.
    { channel: 'room_*', subscribe: 'members', publish: 'members', experimentOnly: ['round'] },
  ]
  private api: ExperimentApi | undefined
  private readonly rooms = new Map<string, string>()
  private readonly partners = new Map<string, string>()
  private waiting: string | undefined
  private rosterTimer: ReturnType<typeof setTimeout> | undefined
  private rosterSentAt = 0
  // Participants whose existence was checked once: participants are never deleted, so once is enough.
  private readonly known = new Set<string>()
  // Whispers are checked one after the other, so they are relayed in the order they came.
  private whispers: Promise<void> = Promise.resolve()

  start(api: ExperimentApi): void {
    this.api = api
  }

  /**
   * Who is here: present on the broadcast channel (on any server process), in arrival order. A tab
   * that reconnects or reloads stays in it; one that closed leaves it after the grace period.
   */
  get roster(): string[] {
    return this.api?.presence(BROADCAST_CHANNEL) ?? []
  }

  /**
   * The roster follows presence of the broadcast channel; and a participant who left its room (no
   * socket on it for the grace period) leaves its partner alone: the room is told, and the partner is
   * paired again with the next who comes.
   */
  presence(event: PresenceEvent): void {
    if (event.channel === BROADCAST_CHANNEL) this.rosterChanged()
    if (event.type !== 'leave') return
    // Gone from the broadcast channel (its tab closed), or from its room: either way its partner is alone.
    if (event.channel === BROADCAST_CHANNEL || this.rooms.get(event.participant) === event.channel) this.left(event.participant)
  }

  private left(participant: string): void {
    if (this.waiting === participant) this.waiting = undefined
    const partner = this.partners.get(participant)
    if (partner === undefined) return
    const room = this.rooms.get(participant)
    // Said in the room, which stays open for what was said there; the one left behind is paired anew.
    if (room !== undefined) this.publish({ type: 'chat', text: `participant ${participant} has left`, sender: 'experiment', room } satisfies ChatMessage, room)
    for (const who of [participant, partner]) {
      this.rooms.delete(who)
      this.partners.delete(who)
    }
    if (this.live(partner)) this.pair(partner)
  }

  /** Whether a participant has a socket open now (presence also counts those within their grace period). */
  private live(participant: string): boolean {
    return (this.api?.channelsOf(participant).length ?? 0) > 0
  }

  /** Says `text` to everyone, as a chat line from the experiment on the broadcast channel. */
  announce(text: string): void {
    this.publish({ type: 'chat', text, sender: 'experiment' } satisfies ChatMessage, BROADCAST_CHANNEL)
  }

  /** Sends `payload` to one participant's private channel. */
  sendPrivate(participantId: string | number, payload: AssignmentMessage | WhisperMessage): void {
    this.publish(payload, privateChannel(participantId))
  }

  receiveMessage(message: Record<string, unknown>, context: MessageContext): void {
    if (context.channel === CONTROL_CHANNEL) {
      const event = asControlEvent(message)
      if (event) this.onControl(event)
      return
    }
    if (message.type === 'whisper') this.relayWhisper(message, context)
  }

  private onControl(event: ControlEvent): void {
    const id = event.client.participant_id
    if (id === null || event.type === 'websocket') return
    if (event.channel === null || event.event === 'unsubscribed') return
    // Counted per socket by the host, so an old socket's late "unsubscribed" cannot hide a new one.
    const channels = this.api?.channelsOf(id) ?? []
    // Pair only once both of the participant's channels are subscribed, so no announcement is missed.
    if (id === this.waiting || !channels.includes(BROADCAST_CHANNEL) || !channels.includes(privateChannel(id))) return
    const room = this.rooms.get(id)
    const partner = this.partners.get(id)
    // Not paired yet; or paired, its room still being made (it will be told then).
    if (room === undefined) return partner === undefined ? this.pair(id) : undefined
    // Back after a reload or a drop: tell it its room and partner again, on its private channel.
    if (partner !== undefined) this.sendPrivate(id, { type: 'assignment', room, partner, recipient: id })
  }

  /**
   * The roster after a connect or a disconnect, coalesced: at most one every ROSTER_EVERY_MS, the latest
   * state winning, so a participant that opens and closes sockets in a loop cannot flood everyone.
   */
  private rosterChanged(): void {
    if (this.rosterTimer !== undefined) return
    const wait = Math.max(0, this.rosterSentAt + ROSTER_EVERY_MS - Date.now())
    this.rosterTimer = setTimeout(() => {
      this.rosterTimer = undefined
      this.rosterSentAt = Date.now()
      // Not kept in history: only the latest roster matters, and churn must not crowd out the chat.
      this.api?.publishToSubscribers({ type: 'roster', participants: this.roster } satisfies RosterMessage, BROADCAST_CHANNEL, { history: false })
    }, wait)
    this.rosterTimer.unref?.()
  }

  private pair(id: string): void {
    const partner = this.waiting
    if (partner === undefined || partner === id || !this.live(partner)) {
      this.waiting = id
      return
    }
    this.waiting = undefined
    const members = [partner, id]
    // Paired at once, so that nothing pairs either again while the room is being made.
    this.partners.set(partner, id)
    this.partners.set(id, partner)
    // A room name never used before, not even by a run of this experiment that crashed; its membership
    // is recorded before the announcement, so the members' sockets are let in at once.
    void this.api?.createRoom(members).then(
      (room) => {
        this.rooms.set(partner, room)
        this.rooms.set(id, room)
        this.publish({ type: 'create_chatroom', chatroom: room, participant_ids: members } satisfies CreateChatroomMessage, BROADCAST_CHANNEL)
        for (const [who, other] of [[partner, id], [id, partner]] as const) {
          this.sendPrivate(who, { type: 'assignment', room, partner: other, recipient: who } satisfies AssignmentMessage)
        }
        // In the server's time, so that it begins at one moment on every page, whatever their clocks say.
        const startsAt = (this.api?.now() ?? Date.now()) + ROUND_DELAY_MS
        this.publish({ type: 'round', room, startsAt, endsAt: startsAt + ROUND_MS } satisfies RoundMessage, room)
      },
      (error: unknown) => {
        // Not paired after all (the shared state is away): both wait again, and are paired in a second.
        this.api?.log('error', 'experiment.create_room_failed', { members, error })
        this.partners.delete(partner)
        this.partners.delete(id)
        this.waiting = partner
        setTimeout(() => this.pair(id), 1000).unref?.()
      },
    )
  }

  private relayWhisper(message: Record<string, unknown>, context: MessageContext): void {
    const parsed = WhisperSchema.safeParse(message)
    if (!parsed.success || context.participantId === null) {
      this.api?.log('warn', 'experiment.invalid_whisper', { raw: context.raw.slice(0, 200), issues: parsed.error?.issues })
      return
    }
    const { text } = parsed.data
    const recipient = String(parsed.data.recipient)
    const whisper: WhisperMessage = { type: 'whisper', text, sender: context.participantId, recipient }
    this.whispers = this.whispers.then(async () => {
      // A whisper to a made-up recipient would give the server a new channel, with history, for free.
      if (await this.isParticipant(recipient)) return this.sendPrivate(recipient, whisper)
      this.api?.log('warn', 'experiment.whisper_to_unknown', { sender: context.participantId, recipient: recipient.slice(0, 40) })
    }).catch((error: unknown) => this.api?.log('error', 'experiment.whisper_failed', { recipient: recipient.slice(0, 40), error }))
  }

  /**
   * Whether `id` names a participant the server minted, on any process (the shared state, not the
   * connected ones: a whisper to a partner who is reloading their page still reaches them).
   */
  private async isParticipant(id: string): Promise<boolean> {
    if (this.known.has(id)) return true
    // Only the canonical form, so '7', '07' and '7.0' cannot name three channels for one participant.
    if (!this.api || !/^[1-9]\d{0,14}$/.test(id)) return false
    try {
      if (!(await new ParticipantStore(this.api.state).get(Number(id)))) return false
    } catch (error) {
      this.api.log('error', 'experiment.participant_lookup_failed', { id, error })
      return false
    }
    this.known.add(id)
    return true
  }

  private publish(payload: object, channel: string): void {
    this.api?.publishToSubscribers(payload, channel)
  }
}
