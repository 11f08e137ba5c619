import { afterEach, describe, expect, it } from 'vitest'
import type { Log } from '@switchboard/server'
import { EXPERIMENT_CHANNEL, privateChannel, startDemoServer } from '../src/index.js'
import type { DemoServer } from '../src/index.js'
import { newParticipant, peer } from '../../server/test/ws-peer.js'

const servers: DemoServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function start() {
  const events: Array<{ event: string; fields: Record<string, unknown> }> = []
  const log: Log = (_level, event, fields = {}) => void events.push({ event, fields })
  const server = await startDemoServer({ log })
  servers.push(server)
  return { server, events }
}

const whisper = (sender: string, recipient: string | number, text: string) => `${EXPERIMENT_CHANNEL}:${JSON.stringify({ type: 'whisper', text, sender, recipient })}`

describe('whispers to recipients the server does not know', () => {
  it('are dropped and logged, and make no channel with history; whispers to real participants go through, in order, connected or not', async () => {
    const { server, events } = await start()
    const a = await newParticipant(server.url)
    const b = await newParticipant(server.url)
    const offline = await newParticipant(server.url)
    const from = await peer(server.url, a.query(privateChannel(a.id)))
    const inbox = await peer(server.url, b.query(privateChannel(b.id)))
    const madeUp = [999_999, 'nobody', `0${b.id}`, `${b.id}.0`, '-1']
    from.send(whisper(a.id, b.id, 'one'))
    for (const recipient of madeUp) from.send(whisper(a.id, recipient, 'hello?'))
    from.send(whisper(a.id, offline.id, 'for later'))
    from.send(whisper(a.id, Number(b.id), 'two'))
    await inbox.received(2)
    expect(inbox.frames).toEqual([`${privateChannel(b.id)}:{"type":"whisper","text":"one","sender":"${a.id}","recipient":"${b.id}"}`, `${privateChannel(b.id)}:{"type":"whisper","text":"two","sender":"${a.id}","recipient":"${b.id}"}`])
    expect(events.filter((e) => e.event === 'experiment.whisper_to_unknown').map((e) => e.fields.recipient)).toEqual(madeUp.map(String))
    for (const recipient of madeUp) expect((await server.broker.history(privateChannel(recipient), '0-0')).messages).toEqual([])
    // A participant who is not connected (reloading, say) finds the whisper in history.
    expect((await server.broker.history(privateChannel(offline.id), '0-0')).messages.map((m) => JSON.parse(m.data).text)).toEqual(['for later'])
  })
})
