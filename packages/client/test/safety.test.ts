import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { redactCredential } from '../src/chat-url.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'
import { fakeClient, nextSocket, reconnectSocket, record } from './helpers.js'

// Nothing the client does from a socket event, a timer or a callback throws into the page (or, in
// Node, ends the process), and nothing it prints holds the credential.

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

const SECRET = 's3cr3t-t0ken'

/** A WebSocket class whose constructor throws, quoting the URL as `ws` does for a bad one. */
class ThrowingWebSocket {
  static readonly CLOSING = 2
  constructor(url: string) {
    throw new SyntaxError(`Invalid URL: ${url}`)
  }
}

describe('the credential', () => {
  it('is hidden in every URL the client prints', () => {
    expect(redactCredential('ws://x/chat?channel=c&token=abc%2Bd&sb=1')).toBe('ws://x/chat?channel=c&token=***&sb=1')
    expect(redactCredential('ws://x/chat?token=abc')).toBe('ws://x/chat?token=***')
    expect(redactCredential('Invalid URL: ws://x/chat?a=1&token=abc def')).toBe('Invalid URL: ws://x/chat?a=1&token=*** def')
    expect(redactCredential('ws://x/chat?mytoken=abc')).toBe('ws://x/chat?mytoken=abc')
  })

  it('never reaches a debug line or a state change', async () => {
    const lines: string[] = []
    const logger = { debug: (...args: unknown[]) => lines.push(args.map(String).join(' ')), warn: (...args: unknown[]) => lines.push(args.map(String).join(' ')) }
    const channel = fakeClient({ debug: true, logger, credential: SECRET, resume: true, minDelayMs: 10, maxDelayMs: 10 }).openChannel('c')
    const { states } = record(channel)
    const socket = await nextSocket()
    expect(socket.url).toContain(`token=${SECRET}`)
    socket.serverClose(1006)
    await reconnectSocket(states)
    channel.close()
    const broken = fakeClient({ debug: true, logger, credential: SECRET, WebSocket: ThrowingWebSocket }).openChannel('d')
    const brokenStates = record(broken).states
    await vi.advanceTimersByTimeAsync(1)
    broken.close()
    expect(lines.filter((line) => line.includes('connecting ws://'))).toHaveLength(3)
    expect(lines.some((line) => line.includes('token=***'))).toBe(true)
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([])
    expect(JSON.stringify([states, brokenStates])).not.toContain(SECRET)
  })
})

describe('nothing throws into the host', () => {
  it('takes a WebSocket constructor that throws as a failed attempt (1006), and retries', async () => {
    const channel = fakeClient({ WebSocket: ThrowingWebSocket, credential: SECRET, minDelayMs: 100, maxDelayMs: 100 }).openChannel('c')
    const { states, errors } = record(channel)
    // The close comes on a turn of its own, as a browser reports a connection that failed.
    await vi.advanceTimersByTimeAsync(1)
    expect(states).toEqual([
      {
        prev: 'connecting',
        next: 'reconnecting',
        reason: 'lost',
        attempt: 1,
        delayMs: 100,
        close: { code: 1006, reason: 'SyntaxError: Invalid URL: ws://test.local/chat?channel=c&worker_id=w7&participant_id=7&token=***' },
      },
    ])
    await vi.advanceTimersByTimeAsync(101)
    expect(states.map((s) => s.reason)).toEqual(['lost', 'lost'])
    expect(errors).toEqual([])
    channel.close()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(states.map((s) => s.reason)).toEqual(['lost', 'lost', 'closed'])
  })

  it('keeps a logger that throws from breaking anything', async () => {
    const fail = () => {
      throw new Error('logger bug')
    }
    const channel = fakeClient({ debug: true, logger: { debug: fail, warn: fail } }).openChannel('c')
    const socket = await nextSocket()
    expect(() => socket.open()).not.toThrow()
    expect(() => socket.receive('c:{bad json')).not.toThrow()
    expect(() => socket.serverClose(1006)).not.toThrow()
    expect(channel.state).toBe('reconnecting')
  })

  it('keeps writing only while the socket is open, though a timer fires as it closes', async () => {
    const channel = fakeClient({ resume: true }).openChannel('c')
    const socket = await nextSocket()
    socket.open()
    socket.receive(':{"type":"hello","v":1,"last":"0-0"}')
    // Closing as a browser does: CLOSING, and the close event comes later.
    socket.readyState = 2
    await expect(vi.advanceTimersByTimeAsync(10_000)).resolves.not.toThrow()
    expect(socket.sent).toEqual([])
    expect(channel.send({ n: 1 }).status).toBe('queued')
  })
})
