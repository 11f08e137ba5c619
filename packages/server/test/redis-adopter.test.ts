// The adopter's order on a handover, with a fake pub/sub connection and a lease the test hands over:
// what another program published while nobody held the lease is adopted before what comes after.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLog } from '../src/index.js'
import { RedisAdopter } from '../src/broker/redis-adopter.js'
import { ADOPTED_PREFIX, ID_PREFIX } from '../src/broker/redis-subscriptions.js'
import type { LeaseHolder } from '../src/state/lease-holder.js'

type Listener = (message: string, channel: string) => void

/** What RedisAdopter uses of a Redis connection: PSUBSCRIBE delivers to the one listener. */
function fakeConnection() {
  let listener: Listener = () => undefined
  const connection = {
    on: () => connection,
    connect: () => Promise.resolve(),
    pSubscribe: (_pattern: string, heard: Listener) => Promise.resolve(void (listener = heard)),
    quit: () => Promise.resolve(),
  }
  return { connection, hear: (channel: string, message: string) => listener(message, channel) }
}

async function adopter() {
  const lease = { holds: false, start: () => Promise.resolve(), stop: () => Promise.resolve() }
  const adopted: string[] = []
  const { connection, hear } = fakeConnection()
  const instance = await RedisAdopter.start(connection as never, lease as unknown as LeaseHolder, (channel, data) => Promise.resolve(void adopted.push(`${channel} ${data}`)), silentLog)
  return { lease, adopted, hear, close: () => instance.close() }
}

describe('the adopter', () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())

  it('adopts, once it holds the lease, what came before it in order, and only then what comes after', async () => {
    const { lease, adopted, hear, close } = await adopter()
    for (const n of [1, 2, 3]) hear('chat', `${n}`)
    await vi.advanceTimersByTimeAsync(100)
    lease.holds = true
    // Published after the lease was taken, before the leftovers' wait is over: it waits behind them.
    hear('chat', '4')
    hear('other', 'x')
    await vi.advanceTimersByTimeAsync(0)
    expect(adopted).toEqual(['other x'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(adopted).toEqual(['other x', 'chat 1', 'chat 2', 'chat 3', 'chat 4'])
    hear('chat', '5')
    await vi.advanceTimersByTimeAsync(0)
    expect(adopted.at(-1)).toBe('chat 5')
    await close()
  })

  it('leaves alone what a Switchboard process announced, and what another process adopted meanwhile', async () => {
    const { lease, adopted, hear, close } = await adopter()
    hear(`${ID_PREFIX}chat`, '7-0')
    hear('chat', 'announced')
    hear('chat', 'raw 1')
    hear('chat', 'raw 2')
    hear(`${ADOPTED_PREFIX}chat`, '8-0 raw 1')
    lease.holds = true
    await vi.advanceTimersByTimeAsync(1000)
    expect(adopted).toEqual(['chat raw 2'])
    await close()
  })
})
