import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ListenerError, ProtocolError, SendError, UsageError } from '../src/errors.js'
import type { MessageMeta } from '../src/handlers.js'
import type { Payload } from '../src/frame.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, nextSocket, record } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

async function openChannel(name = 'broadcast_channel', options = {}) {
  const channel = fakeClient(options).openChannel(name)
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  return { channel, socket, ...log }
}

describe('connecting', () => {
  it('opens one socket for the channel with its URL and no subprotocol', async () => {
    const { channel, socket } = await openChannel('room_1')
    expect(socket.url).toBe('ws://test.local/chat?channel=room_1&worker_id=w7&participant_id=7')
    expect(socket.protocols).toBeUndefined()
    expect(channel.state).toBe('open')
    await expect(channel.ready()).resolves.toBeUndefined()
  })
})

describe('dispatch', () => {
  it('calls handlers by the payload type, with parsed payload and metadata', async () => {
    const { channel, socket } = await openChannel()
    const chats: Array<[Payload, MessageMeta]> = []
    const moves: Payload[] = []
    channel.on('chat', (message, meta) => chats.push([message, meta]))
    channel.on('move', (message) => moves.push(message))
    const raw = 'broadcast_channel:{"type":"chat","text":"a:b"}'
    socket.receive(raw)
    expect(chats).toEqual([[{ type: 'chat', text: 'a:b' }, { channel: 'broadcast_channel', raw, receivedAt: expect.closeTo(Date.now(), -2) }]])
    expect(moves).toEqual([])
  })

  it('gives every message, typed or not, to any-type handlers', async () => {
    const { channel, socket } = await openChannel()
    const seen: Payload[] = []
    channel.onAny((message) => seen.push(message))
    socket.receive('broadcast_channel:{"type":"chat"}')
    socket.receive('broadcast_channel:{"text":"no type"}')
    socket.receive('broadcast_channel:{"type":42}')
    expect(seen).toEqual([{ type: 'chat' }, { text: 'no type' }, { type: 42 }])
  })

  it('ignores frames of other channels and a bare ping', async () => {
    const { channel, socket, errors } = await openChannel()
    const seen: Payload[] = []
    channel.onAny((message) => seen.push(message))
    socket.receive('ping')
    socket.receive('other:{"type":"chat"}')
    socket.receive('broadcast_channel_2:{"type":"chat"}')
    expect(seen).toEqual([])
    expect(errors).toEqual([])
  })

  it('reports invalid JSON and non-object payloads with the raw frame, and goes on', async () => {
    const { channel, socket, errors } = await openChannel()
    const seen: Payload[] = []
    channel.onAny((message) => seen.push(message))
    socket.receive('broadcast_channel:{not json')
    socket.receive('broadcast_channel:[1,2]')
    socket.receive('broadcast_channel:')
    socket.receive(new Uint8Array([1, 2]))
    socket.receive('broadcast_channel:{"type":"chat"}')
    expect(errors.map((e) => [e.code, (e as ProtocolError).raw])).toEqual([
      ['INVALID_JSON', 'broadcast_channel:{not json'],
      ['NOT_AN_OBJECT', 'broadcast_channel:[1,2]'],
      ['INVALID_JSON', 'broadcast_channel:'],
      ['BINARY_FRAME', '[binary]'],
    ])
    expect(errors.every((e) => e instanceof ProtocolError)).toBe(true)
    expect(seen).toEqual([{ type: 'chat' }])
  })

  it('keeps dispatching when a handler throws, and reports it', async () => {
    const { channel, socket, errors } = await openChannel()
    const seen: string[] = []
    channel.on('chat', () => {
      throw new Error('page bug')
    })
    channel.on('chat', () => seen.push('second'))
    channel.onAny(() => seen.push('any'))
    socket.receive('broadcast_channel:{"type":"chat"}')
    socket.receive('broadcast_channel:{"type":"chat"}')
    expect(seen).toEqual(['second', 'any', 'second', 'any'])
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(ListenerError)
    expect((errors[0]?.cause as Error).message).toBe('page bug')
    expect(channel.state).toBe('open')
  })

  it('survives an error listener that throws', async () => {
    const warn = vi.fn()
    const channel = fakeClient({ logger: { debug: () => {}, warn } }).openChannel('c')
    channel.onError(() => {
      throw new Error('listener bug')
    })
    const socket = await nextSocket()
    socket.open()
    socket.receive('c:{bad')
    expect(warn).toHaveBeenCalledOnce()
    expect(channel.state).toBe('open')
  })

  it('warns through the logger when nobody listens for errors', async () => {
    const warn = vi.fn()
    fakeClient({ logger: { debug: () => {}, warn } }).openChannel('c')
    const socket = await nextSocket()
    socket.open()
    socket.receive('c:{bad')
    expect(warn).toHaveBeenCalledWith('[switchboard]', 'c:', expect.any(ProtocolError))
  })

  it('unsubscribes, and once() fires a single time', async () => {
    const { channel, socket } = await openChannel()
    const seen: string[] = []
    const off = channel.on('chat', () => seen.push('on'))
    channel.once('chat', () => seen.push('once'))
    socket.receive('broadcast_channel:{"type":"chat"}')
    off()
    off()
    socket.receive('broadcast_channel:{"type":"chat"}')
    expect(seen).toEqual(['on', 'once'])
  })

  it('gives the message being dispatched to every handler there was, when one removes itself or another, or adds one', async () => {
    const { channel, socket } = await openChannel()
    const seen: string[] = []
    const offB = channel.on('chat', (m) => seen.push(`b${m.n}`))
    const offA = channel.on('chat', (m) => {
      seen.push(`a${m.n}`)
      offA()
      offB()
      channel.on('chat', (later) => seen.push(`new${later.n}`))
    })
    channel.on('chat', (m) => seen.push(`c${m.n}`))
    const offAny = channel.onAny((m) => {
      seen.push(`any${m.n}`)
      offAny()
    })
    socket.receive('broadcast_channel:{"type":"chat","n":1}')
    socket.receive('broadcast_channel:{"type":"chat","n":2}')
    // The same function twice is two subscriptions; removing one leaves the other.
    const twice = () => seen.push('twice')
    const offFirst = channel.on('move', twice)
    channel.on('move', twice)
    offFirst()
    socket.receive('broadcast_channel:{"type":"move"}')
    expect(seen).toEqual(['b1', 'a1', 'c1', 'any1', 'c2', 'new2', 'twice'])
  })

  it("refuses '*' as a type: that is onAny", async () => {
    const { channel } = await openChannel()
    expect(() => channel.on('*', () => {})).toThrow(UsageError)
  })
})

describe('filters', () => {
  it('filters by room', async () => {
    const { channel, socket } = await openChannel()
    const seen: unknown[] = []
    channel.on('chat', (m) => seen.push(m.text), { room: 'room_1' })
    socket.receive('broadcast_channel:{"type":"chat","room":"room_1","text":"in"}')
    socket.receive('broadcast_channel:{"type":"chat","room":"room_2","text":"other"}')
    socket.receive('broadcast_channel:{"type":"chat","text":"no room"}')
    expect(seen).toEqual(['in'])
  })

  it("filters by recipient, 'me' being the own participant id, numbers equal to strings", async () => {
    const { channel, socket } = await openChannel()
    const mine: unknown[] = []
    const theirs: unknown[] = []
    channel.on('whisper', (m) => mine.push(m.text), { recipient: 'me' })
    channel.on('whisper', (m) => theirs.push(m.text), { recipient: 8 })
    socket.receive('broadcast_channel:{"type":"whisper","recipient":7,"text":"number"}')
    socket.receive('broadcast_channel:{"type":"whisper","recipient":"7","text":"string"}')
    socket.receive('broadcast_channel:{"type":"whisper","recipient":"8","text":"eight"}')
    socket.receive('broadcast_channel:{"type":"whisper","text":"nobody"}')
    expect(mine).toEqual(['number', 'string'])
    expect(theirs).toEqual(['eight'])
  })

  it('needs both conditions when room and recipient are given', async () => {
    const { channel, socket } = await openChannel()
    const seen: unknown[] = []
    channel.onAny((m) => seen.push(m.text), { room: 1, recipient: 'me' })
    socket.receive('broadcast_channel:{"room":"1","recipient":7,"text":"yes"}')
    socket.receive('broadcast_channel:{"room":"1","recipient":8,"text":"no"}')
    socket.receive('broadcast_channel:{"room":"2","recipient":7,"text":"no"}')
    expect(seen).toEqual(['yes'])
  })

  it("throws for recipient 'me' without a participant id", async () => {
    const channel = fakeClient({ identity: {} }).openChannel('c')
    expect(() => channel.on('x', () => {}, { recipient: 'me' })).toThrow(/needs identity.participantId/)
  })
})

describe('sending', () => {
  it('sends to its own channel and to any other', async () => {
    const { channel, socket } = await openChannel()
    expect(channel.send({ type: 'chat', text: 'hi' }).status).toBe('sent')
    expect(channel.sendTo('experiment_channel', { type: 'move', x: 1 }).status).toBe('sent')
    expect(socket.sent).toEqual(['broadcast_channel:{"type":"chat","text":"hi"}', 'experiment_channel:{"type":"move","x":1}'])
  })

  it('queues sends before open and flushes them in order once open', async () => {
    const channel = fakeClient().openChannel('c')
    expect(channel.send({ n: 1 }).status).toBe('queued')
    expect(channel.sendTo('d', { n: 2 }).status).toBe('queued')
    const socket = await nextSocket()
    expect(channel.send({ n: 3 }).status).toBe('queued')
    socket.open()
    expect(socket.sent).toEqual(['c:{"n":1}', 'd:{"n":2}', 'c:{"n":3}'])
  })

  it('throws on misuse: a payload that is not an object, a bad target channel', async () => {
    const { channel } = await openChannel()
    expect(() => channel.send([1] as unknown as Payload)).toThrow(UsageError)
    expect(() => channel.sendTo('a:b', {})).toThrow(UsageError)
  })
})

describe('closing', () => {
  it('is final and idempotent, emits one change and rejects ready()', async () => {
    const { channel, socket, states, errors } = await openChannel()
    channel.close()
    channel.close()
    expect(channel.state).toBe('closed')
    expect(socket.readyState).toBe(3)
    expect(states.map((s) => `${s.prev}>${s.next}:${s.reason}`)).toEqual(['connecting>open:opened', 'open>closed:closed'])
    await expect(channel.ready()).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' })
    expect(channel.send({ type: 'late' }).status).toBe('failed')
    expect(errors.at(-1)).toBeInstanceOf(SendError)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('reports queued messages that closing discards', async () => {
    const channel = fakeClient().openChannel('c')
    const { errors } = record(channel)
    channel.send({ n: 1 })
    channel.close()
    expect(errors).toEqual([expect.objectContaining({ code: 'CHANNEL_CLOSED', frames: ['c:{"n":1}'] })])
  })

  it('stops handlers after close and lets the client open the name again', async () => {
    const client = fakeClient()
    const first = client.openChannel('c')
    expect(client.openChannel('c')).toBe(first)
    first.close()
    const second = client.openChannel('c')
    expect(second).not.toBe(first)
    expect(client.channel('c')).toBe(second)
  })
})

describe('reconnecting', () => {
  it('reconnects after a network loss, with the attempt and delay in the state change', async () => {
    const { channel, socket, states } = await openChannel('c', { random: undefined })
    socket.serverClose(1006)
    expect(channel.state).toBe('reconnecting')
    const change = states.at(-1)
    expect(change).toMatchObject({ prev: 'open', next: 'reconnecting', reason: 'lost', attempt: 1, close: { code: 1006 } })
    expect(change?.delayMs).toBeGreaterThanOrEqual(1000)
    expect(change?.delayMs).toBeLessThanOrEqual(2000)
    const again = await nextSocket(change?.delayMs ?? 0)
    again.open()
    expect(channel.state).toBe('open')
    expect(states.at(-1)).toMatchObject({ prev: 'reconnecting', next: 'open', attempt: 0 })
  })

  it('keeps messages sent while down and delivers them after the reconnect', async () => {
    const { channel, socket, states } = await openChannel('c')
    socket.serverClose(1001, 'restart')
    expect(channel.send({ n: 1 }).status).toBe('queued')
    expect(channel.send({ n: 2 }).status).toBe('queued')
    const again = await nextSocket(states.at(-1)?.delayMs)
    again.open()
    expect(again.sent).toEqual(['c:{"n":1}', 'c:{"n":2}'])
    expect(socket.sent).toEqual([])
  })

  it('stops on a refusal code, reports it and rejects ready()', async () => {
    const channel = fakeClient().openChannel('c')
    const { states, errors } = record(channel)
    const ready = channel.ready()
    const socket = await nextSocket()
    socket.serverClose(4403, 'not your channel')
    expect(channel.state).toBe('closed')
    expect(states.at(-1)).toMatchObject({ next: 'closed', reason: 'refused', close: { code: 4403, reason: 'not your channel' } })
    expect(errors[0]).toMatchObject({ code: 'CONNECTION_REFUSED', closeCode: 4403, reason: 'not your channel' })
    await expect(ready).rejects.toMatchObject({ closeCode: 4403 })
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })
})
