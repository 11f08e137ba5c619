import type { RoomMembership } from '../access/rooms.js'
import type { Broker } from '../broker/broker.js'
import type { Log } from '../log.js'
import { CONTROL_CHANNEL, asControlEvent } from '../protocol/control.js'
import type { SharedState } from '../state/shared-state.js'
import type { MessageId } from '@switchboard/client'
import { laterId } from '../history/history.js'
import type { ChannelStarts } from '../resume/channel-starts.js'
import type { ConnectionQuality, Presence, PresenceEvent } from '../resume/presence.js'
import { subscribeSince } from '../resume/subscribe-since.js'
import { Connected } from './connected.js'
import { Cursors, cursorKey } from './cursors.js'
import type { Experiment, ExperimentApi, PublishOptions } from './experiment.js'

const MAX_PENDING_ECHOES = 1000

/**
 * Runs one experiment on a broker. Dallinger queues messages without `"immediate": true` for a worker;
 * here every message is handled at once, in order, which is what `immediate` asks for and never worse.
 */
export class ExperimentHost implements ExperimentApi {
  // Payloads the experiment published and will hear back, per channel: an echo is matched and skipped
  // by its exact text, since the broker preserves order and never changes bytes.
  private readonly pendingEchoes = new Map<string, string[]>()
  private readonly unsubscribes: Array<() => void> = []
  private readonly connected = new Connected()
  private readonly cursors: Cursors

  constructor(
    private readonly broker: Broker,
    readonly experiment: Experiment,
    readonly state: SharedState,
    private readonly rooms: RoomMembership,
    private readonly starts: ChannelStarts,
    readonly log: Log,
    private readonly presenceOf?: Presence,
  ) {
    this.cursors = new Cursors(state, log)
  }

  private presenceChanged = (event: PresenceEvent): void => {
    try {
      this.experiment.presence?.(event)
    } catch (error) {
      this.log('error', 'experiment.presence_failed', { channel: event.channel, error })
    }
  }

  presence(channel: string): string[] {
    return this.presenceOf?.of(channel) ?? []
  }

  connectionOf(participantId: string | number): ConnectionQuality | undefined {
    return this.presenceOf?.qualityOf(String(participantId))
  }

  /**
   * Subscribes the experiment to its channel and the control channel. Where it stopped before (a crash,
   * a restart, in Redis mode), it first gets, in order, what they carried since the last message it was
   * handed, from history; what history no longer holds goes to `missed`. Delivery is at least once:
   * after a kill, what it was handed in the last moment before (while its cursor was being stored) comes
   * again, and so does what it published itself on its own channel and had not heard back yet.
   */
  async start(): Promise<void> {
    const channels = [...new Set([this.experiment.channel, CONTROL_CHANNEL])]
    const sinces = await Promise.all(channels.map(async (channel) => (await this.state.get(cursorKey(channel))) ?? (await this.head(channel))))
    // The experiment has its api before the first message, a replayed one included.
    this.experiment.start?.(this)
    // Only the process that runs the experiment tells it of presence, and only while it runs.
    if (this.presenceOf) this.unsubscribes.push(this.presenceOf.onEvent(this.presenceChanged))
    for (const [i, channel] of channels.entries()) {
      const unsubscribe = await subscribeSince(this.broker, channel, sinces[i] ?? '0-0', {
        gap: (after, until) => this.missed(channel, after, until),
        message: (data, id, from) => {
          this.receive(channel, data, from)
          if (id !== undefined) this.cursors.advance(channel, id)
        },
      })
      this.unsubscribes.push(unsubscribe)
    }
  }

  private async head(channel: string): Promise<MessageId> {
    const head = await this.broker.history(channel)
    return laterId(head.last, head.dropped)
  }

  private missed(channel: string, after: MessageId, until: MessageId): void {
    this.log('warn', 'experiment.missed', { channel, after, until })
    try {
      this.experiment.missed?.({ channel, after, until })
    } catch (error) {
      this.log('error', 'experiment.missed_failed', { channel, error })
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe()
  }

  /** Resolves once where the experiment stopped reading is stored (tests: a graceful stop keeps it). */
  flushed(): Promise<void> {
    return this.cursors.flushed()
  }

  now(): number {
    return Date.now()
  }

  at(serverTime: number, callback: () => void): () => void {
    const timer = setTimeout(() => {
      try {
        callback()
      } catch (error) {
        this.log('error', 'experiment.at_failed', { error })
      }
    }, Math.min(2 ** 31 - 1, Math.max(0, serverTime - Date.now())))
    timer.unref?.()
    return () => clearTimeout(timer)
  }

  participants(): string[] {
    return this.connected.participants()
  }

  channelsOf(participantId: string | number): string[] {
    return this.connected.channelsOf(participantId)
  }

  async setMembers(room: string, participantIds: ReadonlyArray<string | number>): Promise<void> {
    // The room begins when it first gets members: they are replayed what was said in it from then on.
    await this.starts.mark(room)
    await this.rooms.set(room, participantIds)
  }

  async createRoom(participantIds: ReadonlyArray<string | number>, prefix = 'room'): Promise<string> {
    const room = `${prefix}_${await this.state.uniqueId(`names:${prefix}`)}`
    await this.setMembers(room, participantIds)
    return room
  }

  publishToSubscribers(payload: object | string, channel: string = this.experiment.channel, options: PublishOptions = {}): void {
    const data = typeof payload === 'string' ? payload : JSON.stringify(payload)
    if (channel === this.experiment.channel || channel === CONTROL_CHANNEL) {
      const pending = this.pendingEchoes.get(channel) ?? []
      pending.push(data)
      // A publish lost in a broker outage never echoes back: keep the list bounded, oldest out first.
      if (pending.length > MAX_PENDING_ECHOES) pending.shift()
      this.pendingEchoes.set(channel, pending)
    }
    const published = options.history === false ? this.broker.relayOnly(channel, data, { announce: true }) : this.broker.publish(channel, data)
    void published.then((outcome) => {
      // A publish lost in a broker outage never echoes back: forget it, or it would swallow a later message.
      if (outcome !== 'lost') return
      const pending = this.pendingEchoes.get(channel)
      const at = pending?.indexOf(data) ?? -1
      if (pending && at >= 0) pending.splice(at, 1)
    })
  }

  /** `from` is the participant bound to the socket that sent the message, when a participant's socket did. */
  private receive(channel: string, data: string, from?: string): void {
    // Only what no participant's socket sent can be the experiment's own echo.
    const pending = from === undefined ? this.pendingEchoes.get(channel) : undefined
    const echo = pending?.indexOf(data) ?? -1
    if (pending && echo >= 0) {
      pending.splice(echo, 1)
      return
    }
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      this.log('warn', 'experiment.invalid_json', { channel, data: data.slice(0, 200) })
      return
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.log('warn', 'experiment.not_an_object', { channel, data: data.slice(0, 200) })
      return
    }
    const payload = message as Record<string, unknown>
    if (channel === CONTROL_CHANNEL) {
      const event = asControlEvent(payload)
      // Counted before the experiment hears of it, so what it asks in its handler is already true.
      if (event) this.connected.apply(event)
    }
    try {
      // The socket's participant, whatever the payload says; the payload only for what no socket sent
      // (control events, or a Dallinger process publishing into the same Redis).
      this.experiment.receiveMessage(payload, { channel, participantId: from ?? participantOf(payload), raw: data })
    } catch (error) {
      this.log('error', 'experiment.receive_failed', { channel, error })
    }
  }
}

function participantOf(payload: Record<string, unknown>): string | null {
  const client = payload.client as { participant_id?: unknown } | undefined
  for (const id of [payload.sender, payload.participant_id, client?.participant_id]) {
    if (typeof id === 'string' || typeof id === 'number') return String(id)
  }
  return null
}
