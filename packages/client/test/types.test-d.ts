import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createClient } from '../src/client.js'
import type { Payload } from '../src/frame.js'
import type { Receipt } from '../src/receipt.js'
import type { PongSample } from '../src/heartbeat.js'
import type { SendError } from '../src/errors.js'
import type { OutboxStorage } from '../src/outbox-store.js'

const schemas = {
  chat: z.object({ type: z.literal('chat'), text: z.string(), room: z.string().optional() }),
  move: z.object({ type: z.literal('move'), x: z.number() }),
}

describe('types inferred from schemas', () => {
  const channel = createClient({ schemas }).openChannel('c')

  it('types handlers by message type', () => {
    channel.on('chat', (message) => {
      expectTypeOf(message.text).toEqualTypeOf<string>()
      expectTypeOf(message.type).toEqualTypeOf<'chat'>()
    })
    channel.on('move', (message) => expectTypeOf(message.x).toEqualTypeOf<number>())
    // @ts-expect-error no schema for this type
    channel.on('unknown', () => {})
    channel.on('chat', (message) => {
      // @ts-expect-error chat has no field x
      void message.x
    })
  })

  it('types sends and filters', () => {
    expectTypeOf(channel.send({ type: 'chat', text: 'hi' })).toEqualTypeOf<Receipt>()
    // @ts-expect-error text must be a string
    channel.send({ type: 'chat', text: 1 })
    // @ts-expect-error not a known message
    channel.send({ type: 'dance' })
    channel.on('chat', () => {}, { where: (message) => message.text.length > 0, room: 'r' })
    expectTypeOf(channel.waitFor('move')).resolves.toEqualTypeOf<{ type: 'move'; x: number }>()
  })

  it('keeps payloads open without schemas', () => {
    const plain = createClient().openChannel('c')
    plain.on('anything', (message) => expectTypeOf(message).toEqualTypeOf<Payload>())
    plain.send({ type: 'whatever', n: 1 })
    // @ts-expect-error a payload is an object
    plain.send('text')
  })

  it('lets a channel have schemas of its own', () => {
    const own = createClient().openChannel('c', { schemas: { move: schemas.move } })
    own.on('move', (message) => expectTypeOf(message.x).toEqualTypeOf<number>())
    // @ts-expect-error this channel only knows move
    own.on('chat', () => {})
  })
})

describe('heartbeat, refusals and the outbox storage', () => {
  it('types lastPong, a refused send and the storage option', () => {
    const channel = createClient({ outboxStorage: null }).openChannel('c')
    expectTypeOf(channel.lastPong).toEqualTypeOf<PongSample | undefined>()
    expectTypeOf<SendError['closeCode']>().toEqualTypeOf<number | undefined>()
    createClient({ outboxStorage: new Map() as unknown as OutboxStorage })
    // @ts-expect-error a storage needs getItem, setItem and removeItem
    createClient({ outboxStorage: { getItem: () => null } })
  })
})
