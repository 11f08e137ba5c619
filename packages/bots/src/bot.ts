import { performance } from 'node:perf_hooks'
import { createClient } from '@switchboard/client'
import type { Channel, ChannelOptions, Client, Payload, Receipt } from '@switchboard/client'
import { WebSocket } from 'ws'
import type { Ledger } from './ledger.js'

/** What the run counts over every bot besides messages. */
export interface BotStats {
  connected: number
  reconnects: number
  gaps: number
  /** Refusals (closes and nacks) by close code. */
  refusals: Record<string, number>
}

export interface BotOptions {
  /** The server's base URL, e.g. `http://localhost:5000`. */
  url: string
  index: number
  ledger: Ledger
  stats: BotStats
  /** The resume extension (acks, ids, replay); off for a stock Dallinger server's plain protocol. @default true */
  resume?: boolean
  /** A random source for think times (seeded by the run). */
  random: () => number
}

/**
 * A simulated participant. It goes through a page's flow (`POST /participant`, `POST /node/<id>`, then
 * channels through `@switchboard/client` over `ws`), and its script uses the SDK's own API on the
 * channels it opens. Its `send` adds a key (`k`) to each payload, by which the run matches arrivals.
 */
export class Bot {
  #stopped = false
  readonly #wake = new Set<() => void>()

  private constructor(
    readonly id: string,
    readonly index: number,
    readonly client: Client,
    private readonly options: BotOptions,
  ) {}

  /** A new participant on the server, with its agent, ready to open channels. */
  static async join(options: BotOptions): Promise<Bot> {
    const base = options.url.replace(/\/$/, '')
    const who = `bot${options.index}_${Date.now().toString(36)}`
    const created = await post(`${base}/participant/${who}/bots/${who}/debug`)
    const participant = created.participant as { id: number | string; worker_id?: string }
    const token = typeof created.token === 'string' ? created.token : undefined
    await post(`${base}/node/${participant.id}`)
    const client = createClient({
      url: `${base.replace(/^http/, 'ws')}/chat`,
      WebSocket,
      identity: { participantId: participant.id, workerId: participant.worker_id ?? who },
      ...(token ? { credential: token } : {}),
      resume: options.resume ?? true,
      minDelayMs: 100,
      maxDelayMs: 2000,
      logger: { debug() {}, warn() {} },
    })
    return new Bot(String(participant.id), options.index, client, options)
  }

  /** Opens (or returns) the channel `name`, counted by the run: arrivals, reconnects, gaps, refusals. */
  channel(name: string, options?: ChannelOptions): Channel {
    const existing = this.client.channel(name)
    if (existing) return existing
    return this.#track(this.client.openChannel(name, options))
  }

  /** This participant's private channel, `participant_<id>_channel`. */
  privateChannel(): Channel {
    return this.channel(`participant_${this.id}_channel`)
  }

  /** Sends `payload` on `channel` with a key the run matches arrivals by; a send that fails is owed to nobody. */
  send(channel: Channel, payload: Payload): Receipt {
    const key = this.options.ledger.send(this.id, channel.name, performance.now())
    const receipt = channel.send({ ...payload, k: key })
    void receipt.settled.then((status) => {
      if (status !== 'failed') return
      this.options.ledger.unsent(key)
      this.#refused(receipt.error && 'closeCode' in receipt.error ? String(receipt.error.closeCode) : (receipt.error?.code ?? 'failed'))
    })
    return receipt
  }

  /** Waits between `minMs` and `maxMs` (a participant thinking); ends at once when the run stops. */
  think(minMs: number, maxMs = minMs): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake.delete(done)
        resolve()
      }
      const timer = setTimeout(done, minMs + this.options.random() * (maxMs - minMs))
      this.#wake.add(done)
    })
  }

  /** True once the run's time is up: a script's loop ends on it. */
  get stopped(): boolean {
    return this.#stopped
  }

  stop(): void {
    this.#stopped = true
    for (const wake of [...this.#wake]) wake()
  }

  close(): void {
    this.client.close()
  }

  #track(channel: Channel): Channel {
    const { ledger, stats } = this.options
    let opened = false
    channel.onStateChange(({ prev, next }) => {
      if (next === 'open' && !opened) {
        opened = true
        stats.connected += 1
        ledger.opened(this.id, channel.name)
      }
      if (prev === 'open' && next === 'reconnecting') stats.reconnects += 1
      if (next === 'closed' && opened) ledger.closed(this.id, channel.name)
    })
    channel.onAny((message) => {
      if (typeof message.k === 'string') ledger.arrived(this.id, message.k, performance.now())
    })
    channel.onGap(() => (stats.gaps += 1))
    channel.onError((error) => {
      if (error.code === 'CONNECTION_REFUSED' && 'closeCode' in error) this.#refused(String(error.closeCode))
    })
    return channel
  }

  #refused(code: string): void {
    const { refusals } = this.options.stats
    refusals[code] = (refusals[code] ?? 0) + 1
  }
}

async function post(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST' }).catch((error: unknown) => {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new Error(`cannot reach ${new URL(url).origin}: POST ${new URL(url).pathname}: ${cause?.code ?? cause?.message ?? String(error)}`)
  })
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`)
  return (await response.json()) as Record<string, unknown>
}
