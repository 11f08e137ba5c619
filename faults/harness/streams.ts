import { createClient, privateChannelName } from '@switchboard/client'
import type { Channel, Client, Payload } from '@switchboard/client'
import { WebSocket } from 'ws'
import { newParticipant } from './participants.js'
import type { Participant } from './participants.js'
import type { ChannelRecord, Numbered, SendRecord, StreamResult } from './records.js'
import { waitFor, waitForOrQuiet } from './wait.js'

export interface StreamConfig {
  /** The servers participants use, one each in turn: a balancer's URL, or several processes' URLs. */
  urls: readonly string[]
  participants: number
  /** Numbers each sender sends on each of its streams. */
  messages: number
  /** Time between two numbers of one sender. */
  intervalMs: number
  /** false: `resume: false` on createClient (the plain protocol). */
  resume: boolean
  /** Also send every number to the experiment channel (for the tally experiment). @default true */
  toExperiment?: boolean
}

/** A participant of a stream run: its client, its broadcast channel (sends, receives) and its private channel (receives whispers). */
export interface StreamParticipant extends Participant {
  url: string
  client: Client
  broadcast: Channel
  inbox: Channel
  /** Whose private channel it whispers to: the next participant's. */
  whispersTo: string
}

/**
 * Numbered streams on the real client: every participant sends `{type:'n', from, n, t}` on
 * broadcast_channel, whispers the same numbers to the next participant's private channel, and (by
 * default) sends them to experiment_channel, all on its broadcast socket at a steady rate. Every
 * channel records what it receives, every gap and error it reports, and every send's outcome.
 */
export class Streams {
  readonly participants: StreamParticipant[] = []
  /** Tags every message of this run, so that a message from another run is never counted as this one's. */
  readonly runId = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  readonly #config: StreamConfig
  readonly #channels: ChannelRecord[] = []
  readonly #sends: SendRecord[] = []
  readonly #sentBy = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined

  private constructor(config: StreamConfig) {
    this.#config = config
  }

  /** Creates the participants (POST /participant) and opens their channels; resolves once every channel is open. */
  static async open(config: StreamConfig, timeoutMs = 20_000): Promise<Streams> {
    const streams = new Streams(config)
    const made: Array<Participant & { url: string }> = []
    for (let i = 0; i < config.participants; i++) {
      const url = config.urls[i % config.urls.length] as string
      made.push({ ...(await newParticipant(url)), url })
    }
    made.forEach((participant, i) => streams.#join(participant, (made[(i + 1) % made.length] as Participant).id, made[(i + made.length - 1) % made.length] as Participant))
    try {
      await waitFor('every stream channel to open', () => streams.participants.every((p) => p.broadcast.state === 'open' && p.inbox.state === 'open'), {
        timeoutMs,
        describe: () => streams.participants.map((p) => `${p.id}: ${p.broadcast.state}/${p.inbox.state}`).join(', '),
      })
    } catch (error) {
      streams.close()
      throw error
    }
    return streams
  }

  /** The lowest count of numbers any sender has sent so far. */
  get progress(): number {
    return Math.min(...this.participants.map((p) => this.#sentBy.get(p.id) ?? 0))
  }

  /** Every channel of the run (broadcast and private), for a test's own checks. */
  get channels(): readonly ChannelRecord[] {
    return this.#channels
  }

  /** Starts every sender; resolves once each has sent all its numbers. */
  async run(): Promise<void> {
    const { messages, intervalMs } = this.#config
    this.#timer = setInterval(() => {
      for (const p of this.participants) {
        const n = (this.#sentBy.get(p.id) ?? 0) + 1
        if (n > messages) continue
        this.#sentBy.set(p.id, n)
        this.#send(p, p.broadcast.name, n)
        this.#send(p, privateChannelName(p.whispersTo), n)
        if (this.#config.toExperiment !== false) this.#send(p, 'experiment_channel', n)
      }
    }, intervalMs)
    await waitFor(`every sender to send its ${messages} numbers`, () => this.progress >= messages, { timeoutMs: messages * intervalMs + 30_000 })
    clearInterval(this.#timer)
  }

  /** Resolves once the stream is `fraction` through (for a fault mid-stream). */
  async reached(fraction: number): Promise<void> {
    const at = Math.ceil(this.#config.messages * fraction)
    await waitFor(`the streams to reach ${at}`, () => this.progress >= at, { timeoutMs: this.#config.messages * this.#config.intervalMs + 30_000 })
  }

  /**
   * Waits (bounded) for every receipt to settle and every channel to have every number or be closed;
   * in plain mode, or when deliveries stop coming for `quietMs`, it goes on without them. Never throws
   * for a missing message: the tally reports it.
   */
  async drain({ timeoutMs = 20_000, quietMs = 3000 } = {}): Promise<void> {
    const settled = () => this.#sends.every((s) => s.settled !== undefined)
    const complete = () =>
      this.#channels.every((c) => c.closed !== undefined || c.expectedFrom.every((from) => c.deliveries.some((d) => d.from === from && d.n === this.#sentBy.get(from))))
    const progress = () => this.#sends.filter((s) => s.settled).length + this.#channels.reduce((sum, c) => sum + c.deliveries.length, 0)
    await waitForOrQuiet('receipts to settle and deliveries to complete', () => settled() && complete(), progress, quietMs, { timeoutMs }).catch(() => false)
  }

  /** A snapshot of everything recorded (take it before `close()`, which fails what is still held). */
  result(): StreamResult {
    return {
      mode: this.#config.resume ? 'resume' : 'plain',
      sentBy: new Map(this.#sentBy),
      channels: this.#channels.map((c) => ({ ...c, deliveries: [...c.deliveries], foreign: [...c.foreign], gaps: [...c.gaps], errors: [...c.errors], states: [...c.states] })),
      sends: this.#sends.map((s) => ({ ...s })),
    }
  }

  close(): void {
    clearInterval(this.#timer)
    for (const p of this.participants) p.client.close()
  }

  #join(participant: Participant & { url: string }, whispersTo: string, whisperer: Participant): void {
    const client = createClient({
      url: `${participant.url.replace(/^http/, 'ws')}/chat`,
      WebSocket,
      identity: { participantId: participant.id },
      credential: participant.token,
      resume: this.#config.resume,
      minDelayMs: 50,
      maxDelayMs: 250,
      heartbeatIntervalMs: 2000,
      heartbeatTimeoutMs: 6000,
      lifecycle: null,
    })
    const broadcast = client.openChannel('broadcast_channel')
    const inbox = client.openPrivateChannel()
    this.participants.push({ ...participant, client, broadcast, inbox, whispersTo })
    this.#record(participant.id, broadcast, 'broadcast', () => this.participants.map((p) => p.id))
    this.#record(participant.id, inbox, 'whisper', () => [whisperer.id])
  }

  #record(owner: string, channel: Channel, kind: ChannelRecord['kind'], expectedFrom: () => string[]): void {
    const record: ChannelRecord = { owner, channel: channel.name, kind, expectedFrom: [], deliveries: [], foreign: [], gaps: [], errors: [], states: [], closed: undefined }
    // The full list of senders is known once every participant joined; read it when first needed.
    Object.defineProperty(record, 'expectedFrom', { get: expectedFrom, enumerable: true })
    this.#channels.push(record)
    channel.onAny((message: Payload, meta) => {
      const m = message as Partial<Numbered>
      if (m.type !== 'n' || typeof m.from !== 'string' || typeof m.n !== 'number') return
      const delivery = { run: String(m.run), from: m.from, n: m.n, id: meta.id, sentAt: Number(m.t), receivedAt: meta.receivedAt }
      ;(m.run === this.runId ? record.deliveries : record.foreign).push(delivery)
    })
    channel.onGap((gap) => record.gaps.push({ ...gap, afterDeliveries: record.deliveries.length }))
    channel.onError((error) => {
      const closeCode = (error as { closeCode?: unknown }).closeCode
      record.errors.push({ code: error.code, closeCode: typeof closeCode === 'number' ? closeCode : undefined, message: error.message })
    })
    channel.onStateChange(({ next, reason, close }) => {
      record.states.push(`${next}(${reason}${close ? ` ${close.code}` : ''})`)
      if (next === 'closed') record.closed = { reason, closeCode: close?.code, at: Date.now() }
    })
  }

  #send(p: StreamParticipant, target: string, n: number): void {
    const record: SendRecord = { from: p.id, target, n, settled: undefined, error: undefined }
    this.#sends.push(record)
    const payload: Numbered = { type: 'n', run: this.runId, from: p.id, n, t: Date.now() }
    const receipt = target === p.broadcast.name ? p.broadcast.send(payload) : p.broadcast.sendTo(target, payload)
    void receipt.settled.then((status) => {
      record.settled = status
      const error = receipt.error as { code?: string; closeCode?: number } | undefined
      if (error) record.error = `${error.code ?? 'error'}${error.closeCode ? ` ${error.closeCode}` : ''}`
    })
  }
}
