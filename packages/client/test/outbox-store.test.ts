import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import type { OutboxStorage } from '../src/outbox-store.js'
import { fakeClient, frames, nextSocket, params, record } from './helpers.js'

// The reload-proof outbox: what a page has not got acknowledged is sent again by the next load of the
// tab, with the same sender session and numbers, so the server's duplicate window makes it exactly-once.

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const KEY = 'switchboard:outbox:c'

/** A sessionStorage stand-in that counts its writes. */
function memoryStorage() {
  const items = new Map<string, string>()
  const storage = {
    getItem: vi.fn((key: string) => items.get(key) ?? null),
    setItem: vi.fn((key: string, value: string) => void items.set(key, value)),
    removeItem: vi.fn((key: string) => void items.delete(key)),
  } satisfies OutboxStorage
  return { storage, items, saved: () => JSON.parse(items.get(KEY) ?? 'null') as unknown }
}

/** One load of the page: participant `participantId` opens `c` with `storage` and the server says hello. */
async function load(storage: OutboxStorage, participantId = 7, options = {}) {
  const channel = fakeClient({ resume: true, outboxStorage: storage, identity: { participantId }, ...options }).openChannel('c')
  const log = record(channel)
  const socket = await nextSocket()
  return { channel, socket, ...log }
}

/** The page goes away without closing anything, as a reload does: its timers die with it. */
function unload(): void {
  vi.clearAllTimers()
  FakeWebSocket.reset()
}

/** Lets the task end, and with it the write it scheduled. */
const endOfTask = () => vi.advanceTimersByTimeAsync(0)

describe('the reload-proof outbox', () => {
  it('sends what was not acknowledged again on the next load, with the same session and numbers', async () => {
    const { storage, saved } = memoryStorage()
    const first = await load(storage)
    first.socket.open()
    first.socket.receive(frames.hello('1-0'))
    for (const n of [1, 2, 3]) first.channel.send({ n })
    first.socket.receive(frames.ack(1))
    first.socket.serverClose(1006)
    first.channel.send({ n: 4 })
    await endOfTask()
    const session = params(first.socket).sb_session
    expect(saved()).toEqual({ p: '7', s: session, n: 4, q: [[2, 'c:{"n":2}'], [3, 'c:{"n":3}'], [0, 'c:{"n":4}']] })
    unload()

    const second = await load(storage)
    expect(params(second.socket)).toMatchObject({ sb: '1', sb_session: session, sb_seq: '2' })
    expect(params(second.socket).sb_since).toBeUndefined()
    second.socket.open()
    expect(second.socket.sent).toEqual([])
    second.socket.receive(frames.hello('5-0'))
    const fresh = second.channel.send({ n: 5 })
    expect(second.socket.sent).toEqual(['c:{"n":2}', 'c:{"n":3}', 'c:{"n":4}', 'c:{"n":5}'])
    second.socket.receive(frames.ack(5))
    expect(fresh.status).toBe('acknowledged')
    await endOfTask()
    expect(saved()).toBeNull()
    expect(second.errors).toEqual([])
  })

  it('keeps another participant’s sends from being sent, and drops them', async () => {
    const { storage, saved } = memoryStorage()
    const first = await load(storage, 7)
    first.channel.send({ n: 1 })
    await endOfTask()
    expect(saved()).toMatchObject({ p: '7' })
    unload()

    const other = await load(storage, 8)
    expect(saved()).toBeNull()
    expect(params(other.socket).sb_session).not.toBe(params(first.socket).sb_session)
    other.socket.open()
    other.socket.receive(frames.hello('0-0'))
    expect(other.socket.sent).toEqual([])
  })

  it('writes once at the end of a task however many sends it made, and never while nothing is held', async () => {
    const { storage } = memoryStorage()
    const { channel, socket } = await load(storage)
    socket.open()
    socket.receive(frames.hello('0-0'))
    await endOfTask()
    expect(storage.setItem).not.toHaveBeenCalled()
    for (let n = 1; n <= 10; n++) channel.send({ n })
    await endOfTask()
    expect(storage.setItem).toHaveBeenCalledTimes(1)
    socket.receive(frames.ack(10))
    await endOfTask()
    expect(storage.removeItem).toHaveBeenCalledTimes(1)

    const plain = memoryStorage()
    const { channel: plainChannel, socket: plainSocket } = await load(plain.storage, 7, { resume: false })
    plainSocket.open()
    for (let n = 1; n <= 10; n++) plainChannel.send({ n })
    await endOfTask()
    expect([plain.storage.setItem.mock.calls.length, plain.storage.removeItem.mock.calls.length]).toEqual([0, 0])
  })

  it('is emptied by close(), which fails what is held', async () => {
    const { storage, saved } = memoryStorage()
    const { channel } = await load(storage)
    channel.send({ n: 1 })
    await endOfTask()
    expect(saved()).not.toBeNull()
    channel.close()
    await endOfTask()
    expect(saved()).toBeNull()
  })

  it('keeps a nacked frame between held ones, so that the next load keeps the numbers in step without reporting it again', async () => {
    const { storage, saved } = memoryStorage()
    const first = await load(storage)
    first.socket.open()
    first.socket.receive(frames.hello('0-0'))
    for (const n of [1, 2, 3]) first.channel.send({ n })
    first.socket.receive(frames.nack(2, 4403, 'no'))
    await endOfTask()
    expect(saved()).toMatchObject({ q: [[1, 'c:{"n":1}'], [2, 'c:{"n":2}', 1], [3, 'c:{"n":3}']] })
    unload()

    const second = await load(storage)
    second.socket.open()
    second.socket.receive(frames.hello('0-0'))
    expect(second.socket.sent).toEqual(['c:{"n":1}', 'c:{"n":2}', 'c:{"n":3}'])
    second.socket.receive(frames.nack(2, 4403, 'no'))
    second.socket.receive(frames.ack(3))
    await endOfTask()
    expect(saved()).toBeNull()
    expect(second.errors).toEqual([])
  })

  it('restores at most outboxLimit sends', async () => {
    const { storage, items } = memoryStorage()
    items.set(KEY, JSON.stringify({ p: '7', s: 'abcdefgh12', n: 4, q: [[1, 'c:{"n":1}'], [2, 'c:{"n":2}'], [3, 'c:{"n":3}']] }))
    const { channel, socket } = await load(storage, 7, { outboxLimit: 2 })
    socket.open()
    socket.receive(frames.hello('0-0'))
    expect(socket.sent).toEqual(['c:{"n":1}', 'c:{"n":2}'])
    expect(channel.send({ n: 9 }).error?.code).toBe('OUTBOX_FULL')
  })
})

describe('storage that misbehaves', () => {
  it('drops an entry it cannot read, or one that is not its own, and goes on', async () => {
    for (const value of ['not json', 'null', '[]', '{"p":"7","s":"bad!","n":1,"q":[]}', '{"p":"7","s":"abcdefgh12","n":1,"q":[5]}']) {
      const { storage, items } = memoryStorage()
      items.set(KEY, value)
      const { channel, socket, errors } = await load(storage)
      expect(items.has(KEY), value).toBe(false)
      expect(params(socket).sb_seq).toBe('1')
      channel.close()
      expect(errors).toEqual([])
    }
  })

  it('never throws into the page: a full or disabled storage keeps nothing, and an entry it could not update is removed', async () => {
    const { storage, saved } = memoryStorage()
    const first = await load(storage)
    first.channel.send({ n: 1 })
    await endOfTask()
    expect(saved()).not.toBeNull()
    storage.setItem.mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError')
    })
    first.channel.send({ n: 2 })
    await endOfTask()
    // The old entry would number the next page's sends with numbers already used: it goes.
    expect(saved()).toBeNull()

    const broken: OutboxStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError')
      },
      setItem: () => {
        throw new DOMException('denied', 'SecurityError')
      },
      removeItem: () => {
        throw new DOMException('denied', 'SecurityError')
      },
    }
    const { channel, socket, errors } = await load(broken)
    socket.open()
    socket.receive(frames.hello('0-0'))
    channel.send({ n: 1 })
    await endOfTask()
    expect(socket.sent).toEqual(['c:{"n":1}'])
    expect(errors).toEqual([])
  })
})

describe('the default storage', () => {
  it('is the tab’s sessionStorage in a browser, none in Node, and null keeps nothing', async () => {
    const { storage, saved } = memoryStorage()
    vi.stubGlobal('sessionStorage', storage)
    const node = fakeClient({ resume: true, lifecycle: null, identity: { participantId: 7 } }).openChannel('c')
    node.send({ n: 1 })
    await endOfTask()
    expect(storage.getItem).not.toHaveBeenCalled()
    node.close()

    vi.stubGlobal('document', {})
    vi.stubGlobal('addEventListener', () => {})
    vi.stubGlobal('removeEventListener', () => {})
    const off = fakeClient({ resume: true, outboxStorage: null, identity: { participantId: 7 } }).openChannel('c')
    off.send({ n: 1 })
    await endOfTask()
    expect(storage.getItem).not.toHaveBeenCalled()
    off.close()

    const page = fakeClient({ resume: true, identity: { participantId: 7 } }).openChannel('c')
    page.send({ n: 1 })
    await endOfTask()
    expect(saved()).toMatchObject({ p: '7', n: 1, q: [[0, 'c:{"n":1}']] })
    page.close()
  })
})
