import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { SchemaError } from '../src/errors.js'
import type { ClientOptions } from '../src/client.js'
import type { StandardSchemaV1 } from '../src/schema.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, nextSocket, record } from './helpers.js'

const schemas = {
  chat: z.object({ type: z.literal('chat'), text: z.string().min(1), room: z.string().optional() }),
  move: z.object({ type: z.literal('move'), x: z.number().int() }),
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

async function typedChannel(options: Omit<ClientOptions<typeof schemas>, 'schemas'> = {}) {
  const channel = fakeClient({ schemas, ...options }).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  socket.open()
  return { channel, socket, ...log }
}

describe('incoming validation', () => {
  it('dispatches valid messages, typed by their schema', async () => {
    const { channel, socket, errors } = await typedChannel()
    const texts: string[] = []
    channel.on('chat', (message) => texts.push(message.text))
    socket.receive('c:{"type":"chat","text":"hi"}')
    expect(texts).toEqual(['hi'])
    expect(errors).toEqual([])
  })

  it('reports a message that fails its schema with the raw frame and issues, and dispatches nothing', async () => {
    const { channel, socket, errors } = await typedChannel()
    const seen: unknown[] = []
    channel.on('chat', (message) => seen.push(message))
    channel.onAny((message) => seen.push(message))
    socket.receive('c:{"type":"chat","text":""}')
    socket.receive('c:{"type":"move","x":1.5}')
    expect(seen).toEqual([])
    expect(errors).toHaveLength(2)
    const [first] = errors as SchemaError[]
    expect(first).toBeInstanceOf(SchemaError)
    expect(first).toMatchObject({ code: 'INVALID_MESSAGE', raw: 'c:{"type":"chat","text":""}', messageType: 'chat', direction: 'incoming', channel: 'c' })
    expect(first?.issues[0]?.path).toEqual(['text'])
    // The next valid message goes through.
    socket.receive('c:{"type":"chat","text":"ok"}')
    expect(seen).toEqual([{ type: 'chat', text: 'ok' }, { type: 'chat', text: 'ok' }])
  })

  it('sends types without a schema to onAny only', async () => {
    const { channel, socket, errors } = await typedChannel()
    const any: unknown[] = []
    channel.onAny((message) => any.push(message))
    socket.receive('c:{"type":"roster","participants":[1]}')
    socket.receive('c:{"no":"type"}')
    expect(any).toEqual([{ type: 'roster', participants: [1] }, { no: 'type' }])
    expect(errors).toEqual([])
    expect(() => channel.on('roster' as 'chat', () => {})).toThrow(/No schema for "roster"/)
  })

  it('keeps the order of messages behind an asynchronous schema', async () => {
    const slow: StandardSchemaV1<{ type: 'slow' }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => new Promise((resolve) => setTimeout(() => resolve({ value: value as { type: 'slow' } }), 50)),
      },
    }
    const channel = fakeClient({ schemas: { ...schemas, slow } }).openChannel('c')
    const socket = await nextSocket()
    socket.open()
    const order: string[] = []
    channel.onAny((message) => order.push(String(message.type)))
    socket.receive('c:{"type":"slow"}')
    socket.receive('c:{"type":"chat","text":"after"}')
    expect(order).toEqual([])
    await vi.advanceTimersByTimeAsync(50)
    expect(order).toEqual(['slow', 'chat'])
  })

  it('treats a schema that throws as a failure', async () => {
    const broken: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new Error('schema bug')
        },
      },
    }
    const channel = fakeClient({ schemas: { broken } }).openChannel('c')
    const { errors } = record(channel)
    const socket = await nextSocket()
    socket.open()
    socket.receive('c:{"type":"broken"}')
    expect(errors[0]).toMatchObject({ code: 'INVALID_MESSAGE', issues: [{ message: 'the schema threw: Error: schema bug' }] })
  })
  it('treats a schema that gives no result object as a failure, in and out, and throws into nothing', async () => {
    const validate = vi.fn<() => unknown>()
    const odd = { '~standard': { version: 1, vendor: 'test', validate } } as unknown as StandardSchemaV1
    const channel = fakeClient({ schemas: { odd } }).openChannel('c')
    const { errors } = record(channel)
    const socket = await nextSocket()
    socket.open()
    for (const result of [undefined, null, 5, 'x']) {
      validate.mockReturnValueOnce(result).mockReturnValueOnce(result)
      expect(() => socket.receive('c:{"type":"odd"}')).not.toThrow()
      expect(channel.send({ type: 'odd' }).status).toBe('failed')
    }
    expect(errors.map((error) => [error.code, (error as { direction?: string }).direction])).toEqual(
      Array.from({ length: 4 }, () => [
        ['INVALID_MESSAGE', 'incoming'],
        ['INVALID_MESSAGE', 'outgoing'],
      ]).flat(),
    )
    expect(socket.sent).toEqual([])
  })
})

describe('outgoing validation', () => {
  it('refuses and reports a message that fails its schema', async () => {
    const { channel, socket, errors } = await typedChannel()
    expect(channel.send({ type: 'move', x: 0.5 }).status).toBe('failed')
    expect(errors[0]).toMatchObject({ code: 'INVALID_MESSAGE', direction: 'outgoing', raw: 'c:{"type":"move","x":0.5}' })
    expect(channel.send({ type: 'move', x: 2 }).status).toBe('sent')
    expect(socket.sent).toEqual(['c:{"type":"move","x":2}'])
  })

  it('can be switched off', async () => {
    const { channel, socket } = await typedChannel({ validateOutgoing: false })
    expect(channel.send({ type: 'move', x: 0.5 }).status).toBe('sent')
    expect(socket.sent).toHaveLength(1)
  })
})

describe('waitFor', () => {
  it('resolves with the next matching message', async () => {
    const { channel, socket } = await typedChannel()
    const next = channel.waitFor('chat', { where: (m) => m.text.startsWith('go') }, { timeoutMs: 1000 })
    socket.receive('c:{"type":"chat","text":"wait"}')
    socket.receive('c:{"type":"chat","text":"go!"}')
    await expect(next).resolves.toEqual({ type: 'chat', text: 'go!' })
  })

  it('rejects on timeout and on close', async () => {
    const { channel } = await typedChannel()
    const late = channel.waitFor('chat', undefined, { timeoutMs: 1000 })
    const never = channel.waitFor('move')
    vi.advanceTimersByTime(1000)
    await expect(late).rejects.toMatchObject({ code: 'TIMEOUT' })
    channel.close()
    await expect(never).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' })
    await expect(channel.waitFor('chat')).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' })
  })
})

describe('composed filters', () => {
  it('applies room, recipient and where together, and reports a throwing where', async () => {
    const { channel, socket, errors } = await typedChannel()
    const seen: string[] = []
    channel.on('chat', (m) => seen.push(m.text), { room: 'r1', where: (m) => m.text.length > 2 })
    channel.on('move', () => {}, {
      where: () => {
        throw new Error('bad predicate')
      },
    })
    socket.receive('c:{"type":"chat","text":"yes","room":"r1"}')
    socket.receive('c:{"type":"chat","text":"no","room":"r1"}')
    socket.receive('c:{"type":"chat","text":"nope","room":"r2"}')
    socket.receive('c:{"type":"move","x":1}')
    expect(seen).toEqual(['yes'])
    expect(errors.map((e) => e.code)).toEqual(['LISTENER_FAILED'])
  })
})
