import { CONTROL_CHANNEL, asControlEvent } from '@switchboard/server'
import type { ChannelRules, ControlEvent, Experiment, ExperimentApi, MessageContext } from '@switchboard/server'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, WhisperSchema, privateChannel } from './messages.js'
import type { AssignmentMessage, ChatMessage, CreateChatroomMessage, RosterMessage, WhisperMessage } from './messages.js'

/**
 * The demo chat experiment: broadcast chat (relayed by the server alone), participants paired into
 * chatrooms as they arrive, each told its room and partner privately, whispers relayed to their
 * recipient's private channel, and a roster kept from the control channel.
 */
export class ChatExperiment implements Experiment {
  readonly channel = EXPERIMENT_CHANNEL
  readonly channelRules: ChannelRules = [
    // Everyone chats here, but rooms and the roster come from the experiment alone.
    { channel: BROADCAST_CHANNEL, subscribe: 'everyone', publish: 'everyone', experimentOnly: ['create_chatroom', 'close_chatroom', 'roster'] },
    // The inbox: whispers pass through it, so only the experiment reads it.
    { channel: EXPERIMENT_CHANNEL, subscribe: 'experiment', publish: 'everyone' },
    { channel: 'participant_{id}_channel', subscribe: 'owner', publish: 'owner' },
    // The rooms this experiment creates, each for the two participants it paired.
    { channel: 'room_*', subscribe: 'members', publish: 'members' },
  ]
  private api: ExperimentApi | undefined
  /** Open sockets per participant, from connected/disconnected events. */
  private readonly sockets = new Map<string, number>()
  /** Channels each participant is subscribed to, from subscribed/unsubscribed events. */
  private readonly subscriptions = new Map<string, Set<string>>()
  private readonly rooms = new Map<string, string>()
  private readonly partners = new Map<string, string>()
  private waiting: string | undefined
  private roomCount = 0

  start(api: ExperimentApi): void {
    this.api = api
  }

  /** Participants with at least one open socket, in arrival order. */
  get roster(): string[] {
    return [...this.sockets.keys()]
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
    if (id === null) return
    if (event.type === 'websocket') {
      // Dallinger may publish "disconnected" twice for one socket: the count never goes below zero.
      const count = Math.max(0, (this.sockets.get(id) ?? 0) + (event.event === 'connected' ? 1 : -1))
      if (count > 0) this.sockets.set(id, count)
      else this.sockets.delete(id)
      this.publish({ type: 'roster', participants: this.roster } satisfies RosterMessage, BROADCAST_CHANNEL)
      return
    }
    if (event.channel === null) return
    const channels = this.subscriptions.get(id) ?? new Set<string>()
    this.subscriptions.set(id, channels)
    if (event.event === 'unsubscribed') {
      channels.delete(event.channel)
      return
    }
    channels.add(event.channel)
    // Pair only once both of the participant's channels are subscribed, so no announcement is missed.
    if (id === this.waiting || !channels.has(BROADCAST_CHANNEL) || !channels.has(privateChannel(id))) return
    const room = this.rooms.get(id)
    if (room === undefined) return this.pair(id)
    // Back after a reload or a drop: tell it its room and partner again, on its private channel.
    const partner = this.partners.get(id)
    if (partner !== undefined && (event.channel === BROADCAST_CHANNEL || event.channel === privateChannel(id))) this.sendPrivate(id, { type: 'assignment', room, partner, recipient: id })
  }

  private pair(id: string): void {
    const partner = this.waiting
    if (partner === undefined || !this.sockets.has(partner)) {
      this.waiting = id
      return
    }
    this.waiting = undefined
    const room = `room_${++this.roomCount}`
    this.rooms.set(partner, room)
    this.rooms.set(id, room)
    this.partners.set(partner, id)
    this.partners.set(id, partner)
    const members = [partner, id]
    // Membership is recorded before the announcement, so the members' sockets are let in at once.
    void this.api?.setMembers(room, members).then(() => {
      this.publish({ type: 'create_chatroom', chatroom: room, participant_ids: members } satisfies CreateChatroomMessage, BROADCAST_CHANNEL)
      for (const [who, other] of [[partner, id], [id, partner]] as const) {
        this.sendPrivate(who, { type: 'assignment', room, partner: other, recipient: who } satisfies AssignmentMessage)
      }
    })
  }

  private relayWhisper(message: Record<string, unknown>, context: MessageContext): void {
    const parsed = WhisperSchema.safeParse(message)
    if (!parsed.success || context.participantId === null) {
      this.api?.log('warn', 'experiment.invalid_whisper', { raw: context.raw.slice(0, 200), issues: parsed.error?.issues })
      return
    }
    const { text, recipient } = parsed.data
    const whisper: WhisperMessage = { type: 'whisper', text, sender: context.participantId, recipient: String(recipient) }
    this.sendPrivate(recipient, whisper)
  }

  private publish(payload: object, channel: string): void {
    this.api?.publishToSubscribers(payload, channel)
  }
}
