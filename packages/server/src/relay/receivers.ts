import type { MessageId } from '@switchboard/client'
import type { Broker } from '../broker/broker.js'
import type { ChannelStarts } from '../resume/channel-starts.js'
import { extensionFrame } from '../resume/extension-frames.js'
import { subscribeResuming } from '../resume/subscribe-resuming.js'
import { NOT_RECEIVING, PLAIN } from './connection.js'
import type { Connection, Receiving } from './connection.js'
import { PlainFanout } from './plain-fanout.js'

export interface ReceiversOptions {
  broker: Broker
  /** Where rooms and private channels began: a resuming socket's first subscription replays them from there. */
  starts: ChannelStarts | undefined
  maxFrameBytes: number
  /** How many bytes may go to every plain socket of a channel between looks at their backlogs (the relay: a 16th of maxBufferedBytes). */
  checkEveryBytes: number
  /** Sends a frame to one socket, looking at its backlog first unless `check` is false. */
  deliver: (connection: Connection, frame: string | Buffer, check?: boolean) => void
}

/**
 * How sockets receive their channel: plain ones as Dallinger relays (`channel:payload`), all of a
 * channel's together behind one subscription; resuming ones each on a subscription of its own, since
 * each catches up from its own point (hello, history, then ids with each frame).
 */
export class Receivers {
  private readonly fanout: PlainFanout<Connection>
  /** Gaps plain sockets suffered: times a broker outage lost messages of a plain socket's channel that history no longer held. */
  plainGaps = 0
  // The last message framed for resuming sockets: every one of them live on its channel sends these same bytes.
  private lastFramed: { channel: string; data: string; id: MessageId | undefined; frame: Buffer } | undefined

  constructor(private readonly options: ReceiversOptions) {
    // A plain socket cannot be told of a gap: it is counted, for GET /status.
    this.fanout = new PlainFanout(options.broker, options.deliver, (sockets) => (this.plainGaps += sockets), options.checkEveryBytes)
  }

  /** Subscribes the socket to its channel; resolves once messages published from now on reach it. */
  async subscribe(connection: Connection): Promise<Receiving> {
    const { channel, resume } = connection
    const { broker, starts, maxFrameBytes, deliver } = this.options
    if (resume && channel !== null) {
      // A first subscription to a room or a private channel starts where the channel did, not now.
      const since = resume.since ?? (await starts?.get(channel))
      const send = (frame: string | Buffer) => deliver(connection, frame)
      return { kind: 'own', stop: await subscribeResuming(broker, channel, { ...resume, since }, send, maxFrameBytes, this.framed) }
    }
    if (resume) deliver(connection, extensionFrame.hello('0-0', maxFrameBytes))
    if (channel === null) return NOT_RECEIVING
    await this.fanout.join(channel, connection)
    return PLAIN
  }

  /** `channel` as a string already held for its plain sockets, when there is one (see PlainFanout.shared). */
  shared(channel: string): string {
    return this.fanout.shared(channel)
  }

  /** `<id> channel:payload` as bytes, made once for all the resuming sockets a message goes to. */
  private readonly framed = (channel: string, data: string, id: MessageId | undefined): Buffer => {
    const last = this.lastFramed
    if (last !== undefined && last.id === id && last.channel === channel && last.data === data) return last.frame
    const frame = Buffer.from(extensionFrame.message(channel, data, id))
    this.lastFramed = { channel, data, id, frame }
    return frame
  }

  unsubscribe(connection: Connection, receiving: Receiving): void {
    if (receiving.kind === 'own') receiving.stop()
    else if (receiving.kind === 'plain' && connection.channel !== null) this.fanout.leave(connection.channel, connection)
  }
}
