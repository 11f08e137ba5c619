import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient, openChannel } from '../src/client.js'
import { UsageError } from '../src/errors.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { nextSocket, quietLogger } from './helpers.js'

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  FakeWebSocket.reset()
})

describe('createClient', () => {
  it('defaults to the page host and window.dallinger.identity', async () => {
    vi.useFakeTimers()
    vi.stubGlobal('location', { protocol: 'https:', host: 'exp.example:8443' })
    vi.stubGlobal('WebSocket', FakeWebSocket)
    vi.stubGlobal('dallinger', { identity: { workerId: 'A1', participantId: 12 } })
    const channel = openChannel('participant_12_channel', { logger: quietLogger })
    const socket = await nextSocket()
    // The resume extension is asked for by default, after Dallinger's parameters (which it ignores).
    expect(socket.url).toMatch(/^wss:\/\/exp\.example:8443\/chat\?channel=participant_12_channel&worker_id=A1&participant_id=12&sb=1&sb_session=[a-z0-9]{8,}&sb_seq=1$/)
    channel.close()
  })

  it('explains what is missing in Node', () => {
    const client = createClient({ url: 'ws://x/chat' })
    expect(() => client.openChannel('c')).toThrow(UsageError)
    expect(() => createClient({ WebSocket: FakeWebSocket }).openChannel('c')).toThrow(/pass \{ url/)
  })

  it('closes every channel it opened', async () => {
    vi.useFakeTimers()
    const client = createClient({ url: 'ws://x/chat', WebSocket: FakeWebSocket, logger: quietLogger })
    const a = client.openChannel('a')
    const b = client.openChannel('b')
    client.close()
    expect([a.state, b.state]).toEqual(['closed', 'closed'])
  })
})

describe('credential', () => {
  it('is sent as ?token= after the ids, URL-encoded', async () => {
    vi.useFakeTimers()
    const client = createClient({ url: 'ws://x/chat', WebSocket: FakeWebSocket, logger: quietLogger, identity: { participantId: 4 }, credential: 'a+b/c=', resume: false })
    client.openChannel('c')
    expect((await nextSocket()).url).toBe('ws://x/chat?channel=c&participant_id=4&token=a%2Bb%2Fc%3D')
    client.close()
  })
})

describe('channel names', () => {
  it('throws a UsageError at once for a bad name, before any socket or other check', () => {
    vi.useFakeTimers()
    const client = createClient({ url: 'ws://x/chat', WebSocket: FakeWebSocket, logger: quietLogger })
    for (const bad of ['bad name!', 'a:b', 'room 1', ' broadcast_channel', 'room\n', '']) {
      expect(() => client.openChannel(bad), JSON.stringify(bad)).toThrow(UsageError)
      expect(() => client.openChannel(bad)).toThrow(/use letters, digits, _ - \. only/)
    }
    // The name is what is wrong, even where the missing url or WebSocket would be found next.
    expect(() => createClient().openChannel('bad name!')).toThrow(/Bad channel name "bad name!"/)
    expect(() => openChannel('a:b')).toThrow(UsageError)
    vi.runAllTimers()
    expect(FakeWebSocket.instances).toEqual([])
  })

  it('refuses a bad name for sendTo too, and a room announced with one', async () => {
    vi.useFakeTimers()
    const client = createClient({ url: 'ws://x/chat', WebSocket: FakeWebSocket, logger: quietLogger, resume: false, identity: { participantId: 7 } })
    const broadcast = client.openChannel('broadcast_channel')
    const errors: unknown[] = []
    broadcast.onError((error) => errors.push(error))
    client.joinChatrooms(broadcast)
    const socket = await nextSocket()
    socket.open()
    expect(() => broadcast.sendTo('room 1', { type: 'chat' })).toThrow(UsageError)
    socket.receive('broadcast_channel:{"type":"create_chatroom","chatroom":"room 1","participant_ids":[7]}')
    expect(errors).toMatchObject([{ code: 'LISTENER_FAILED', cause: { code: 'USAGE' } }])
    expect(FakeWebSocket.instances).toHaveLength(1)
    client.close()
  })
})
