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
