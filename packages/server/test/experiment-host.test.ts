import { describe, expect, it } from 'vitest'
import { startServer } from '../src/index.js'
import type { ExperimentApi, MessageContext } from '../src/index.js'
import { newParticipant, peer } from './ws-peer.js'
import { ExperimentHost, MemoryBroker, MemoryState, RoomMembership, asControlEvent, silentLog } from '../src/index.js'
import { channelEvent, connectedEvent, disconnectedEvent } from '../src/protocol/control.js'
import { ChannelStarts } from '../src/resume/channel-starts.js'

describe('experiment host', () => {
  it('ignores its own echoes but not the same text from a participant afterwards', async () => {
    const broker = new MemoryBroker()
    const state = new MemoryState()
    const received: string[] = []
    const host = new ExperimentHost(broker, { channel: 'exp', receiveMessage: (_m, context) => received.push(context.raw) }, state, new RoomMembership(state), new ChannelStarts(broker, state), silentLog)
    await host.start()
    host.publishToSubscribers({ type: 'hello' })
    broker.publish('exp', '{"type":"hello"}')
    expect(received).toEqual(['{"type":"hello"}'])
    host.stop()
  })
})

describe('control events', () => {
  it('accepts the events Dallinger publishes and nothing else', async () => {
    const who = { workerId: null, participantId: '3' }
    for (const text of [channelEvent('subscribed', 'room', who), channelEvent('unsubscribed', null, who), connectedEvent(who), disconnectedEvent(1000, 'bye', who)]) {
      expect(asControlEvent(JSON.parse(text))).toEqual(JSON.parse(text))
    }
    for (const forged of [{ type: 'websocket', event: 'connected' }, { type: 'websocket', event: 'connected', client: { participant_id: 3 } }, { type: 'channel', event: 'subscribed', channel: 5, client: { participant_id: '3' } }, { type: 'chat', client: { participant_id: '3' } }]) {
      expect(asControlEvent(forged)).toBeUndefined()
    }
  })
})

describe('who sent a message', () => {
  it('hands the experiment the participant bound to the socket, whether or not the payload names one', async () => {
    const heard: Array<Pick<MessageContext, 'participantId'> & { text: unknown }> = []
    let api: ExperimentApi | undefined
    const server = await startServer({
      log: silentLog,
      experiment: {
        channel: 'experiment_channel',
        start: (given) => (api = given),
        receiveMessage: (message, { channel, participantId }) => {
          if (channel !== 'experiment_channel') return
          heard.push({ text: message.text, participantId })
          api?.publishToSubscribers({ heard: message.text }, `participant_${participantId}_channel`)
        },
      },
    })
    try {
      const a = await newParticipant(server.url)
      const mine = await peer(server.url, a.query(`participant_${a.id}_channel`))
      mine.send('experiment_channel:{"text":"no sender"}')
      mine.send(`experiment_channel:{"text":"with sender","sender":"${a.id}"}`)
      await mine.received(2)
      expect(heard).toEqual([
        { text: 'no sender', participantId: a.id },
        { text: 'with sender', participantId: a.id },
      ])
    } finally {
      await server.close()
    }
  })
})
