import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CONTROL_CHANNEL, silentLog, startServer } from '../src/index.js'
import type { Server } from '../src/index.js'
import { peer } from './ws-peer.js'

let server: Server
// Dallinger's protocol as a stock page sees it: no credentials, free channel names.
beforeEach(async () => {
  server = await startServer({
    log: silentLog,
    pingIntervalMs: 200,
    allowAnonymous: true,
    channelRules: 'dallinger',
  })
})

/** Records the control channel from the server side (pages may not subscribe to it). */
function controlFrames(): { frames: string[]; received(count: number): Promise<string[]> } {
  const frames: string[] = []
  server.broker.subscribe(CONTROL_CHANNEL, (data) => frames.push(`${CONTROL_CHANNEL}:${data}`))
  return {
    frames,
    received: async (count) => {
      await expect.poll(() => frames.length).toBeGreaterThanOrEqual(count)
      return frames.slice(0, count)
    },
  }
}
afterEach(async () => {
  await server.close()
})

const CLIENT = '"class": "dallinger.experiment_server.sockets.Client"'

describe('relay', () => {
  it('relays room:{...} verbatim to every subscriber, the sender included', async () => {
    const a = await peer(server.url, { channel: 'room' })
    const b = await peer(server.url, { channel: 'room' })
    const frame = 'room:{"type":"chat","text":"héllo 👋","at":"12:30"}'
    a.send(frame)
    expect(await a.received(1)).toEqual([frame])
    expect(await b.received(1)).toEqual([frame])
  })

  it('splits at the first colon and lets a socket publish to any channel', async () => {
    const listener = await peer(server.url, { channel: 'room' })
    const other = await peer(server.url, { channel: 'elsewhere' })
    other.send('room:a:b:c')
    expect(await listener.received(1)).toEqual(['room:a:b:c'])
    expect(other.frames).toEqual([])
  })

  it('publishes control events byte for byte as Dallinger does', async () => {
    const control = controlFrames()
    const p = await peer(server.url, { channel: 'room', worker_id: 'w1', participant_id: '1' })
    await control.received(2)
    p.ws.close(1000, 'bye')
    const frames = await control.received(4)
    expect(frames).toEqual([
      `dallinger_control:{"type": "channel", "event": "subscribed", "channel": "room", "client": {${CLIENT}, "worker_id": "w1", "participant_id": "1"}}`,
      `dallinger_control:{"type": "websocket", "event": "connected", "client": {${CLIENT}, "worker_id": "w1", "participant_id": "1"}}`,
      `dallinger_control:{"type": "channel", "event": "unsubscribed", "channel": "room", "client": {${CLIENT}, "worker_id": "w1", "participant_id": "1"}}`,
      `dallinger_control:{"type": "websocket", "event": "disconnected", "reason": 1000, "message": "bye", "client": {${CLIENT}, "worker_id": "w1", "participant_id": "1"}}`,
    ])
  })

  it('reports missing ids and channel as null, and a close without code as 1005', async () => {
    const control = controlFrames()
    const p = await peer(server.url, { participant_id: '2' })
    p.ws.close()
    const frames = await control.received(4)
    expect(frames[0]).toBe(`dallinger_control:{"type": "channel", "event": "subscribed", "channel": null, "client": {${CLIENT}, "worker_id": null, "participant_id": "2"}}`)
    expect(frames[3]).toBe(
      `dallinger_control:{"type": "websocket", "event": "disconnected", "reason": 1005, "message": "", "client": {${CLIENT}, "worker_id": null, "participant_id": "2"}}`,
    )
  })

  it('escapes non-ASCII ids as Python json.dumps does', async () => {
    const control = controlFrames()
    await peer(server.url, { channel: 'r', worker_id: 'ü"🎲' })
    const [subscribed] = await control.received(1)
    expect(subscribed).toContain('"worker_id": "\\u00fc\\"\\ud83c\\udfb2"')
  })

  it('selects no subprotocol, so a client that asks for one fails the handshake', async () => {
    await expect(peer(server.url, { channel: 'room' }, { protocols: ['switchboard'] })).rejects.toThrow(/subprotocol/i)
  })

  it('closes a socket that sends a bad frame with its documented code, and serves the others', async () => {
    const witness = await peer(server.url, { channel: 'room' })
    const cases: Array<[string | Buffer, boolean, number]> = [
      ['', false, 1007],
      ['no colon here', false, 1007],
      [Buffer.from([1, 2, 3]), true, 1003],
    ]
    for (const [frame, binary, code] of cases) {
      const bad = await peer(server.url, { channel: 'room' })
      bad.send(frame, { binary })
      expect((await bad.closed).code).toBe(code)
    }
    const sender = await peer(server.url, { channel: 'other' })
    sender.send('room:{"still":"alive"}')
    expect(await witness.received(1)).toEqual(['room:{"still":"alive"}'])
  })

  it('closes a socket with 1008 when it stops answering pings', async () => {
    const silent = await peer(server.url, { channel: 'room' }, { autoPong: false })
    expect(await silent.closed).toEqual({ code: 1008, reason: 'Ping/Pong timeout' })
  })

  it('answers a plain GET /chat with 400', async () => {
    const response = await fetch(`${server.url}/chat`)
    expect(response.status).toBe(400)
  })
})

describe('participants and agents', () => {
  it('creates a new participant on every call and an agent like createAgent', async () => {
    const first = (await (await fetch(`${server.url}/participant`, { method: 'POST' })).json()) as { participant: { id: number } }
    const second = await (await fetch(`${server.url}/participant/W9/H1/A1/debug`, { method: 'POST' })).json()
    expect(first).toMatchObject({ status: 'success', participant: { id: expect.any(Number), status: 'working' } })
    const id = first.participant.id + 1
    expect(second).toMatchObject({ status: 'success', participant: { id, worker_id: 'W9', hit_id: 'H1', assignment_id: 'A1', mode: 'debug' } })
    const node = await fetch(`${server.url}/node/${id}`, { method: 'POST' })
    expect(await node.json()).toMatchObject({ status: 'success', node: { participant_id: id, network_id: 1 } })
    expect((await fetch(`${server.url}/node/99`, { method: 'POST' })).status).toBe(403)
  })
})
