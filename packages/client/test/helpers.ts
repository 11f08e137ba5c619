import { vi } from 'vitest'
import { createClient } from '../src/client.js'
import type { ClientOptions } from '../src/client.js'
import type { SwitchboardError } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { LifecycleTarget } from '../src/options.js'
import type { NoSchemas, SchemaMap } from '../src/schema.js'
import type { StateChange } from '../src/connection-state.js'
import { FakeWebSocket } from '../src/fake-web-socket.js'

export const quietLogger: Logger = { debug: () => {}, warn: () => {} }

/** A client on fake sockets, with identity 7 / w7 and a logger that keeps quiet; plain protocol unless `resume: true`. */
export function fakeClient<S extends SchemaMap = NoSchemas>(options: ClientOptions<S> = {}) {
  return createClient<S>({
    url: 'ws://test.local/chat',
    WebSocket: FakeWebSocket,
    identity: { workerId: 'w7', participantId: 7 },
    logger: quietLogger,
    resume: false,
    ...options,
  })
}

/** Lets the client create its next socket (it does so from a timer, the first after a zero delay) and returns it. */
export async function nextSocket(afterMs = 0): Promise<FakeWebSocket> {
  const before = FakeWebSocket.instances.length
  await vi.advanceTimersByTimeAsync(afterMs)
  if (FakeWebSocket.instances.length === before) throw new Error(`no new socket within ${afterMs} ms`)
  return FakeWebSocket.latest()
}

/**
 * The socket of the reconnect attempt announced by the last state change, created after its delay
 * (a millisecond more does no harm, and leaves room for a zero-delay turn).
 */
export async function reconnectSocket(states: StateChange[]): Promise<FakeWebSocket> {
  return nextSocket((states.at(-1)?.delayMs ?? 0) + 1)
}

/** Records state changes and errors of a channel. */
export function record(channel: { onStateChange(l: (c: StateChange) => void): unknown; onError(l: (e: SwitchboardError) => void): unknown }) {
  const states: StateChange[] = []
  const errors: SwitchboardError[] = []
  channel.onStateChange((change) => states.push(change))
  channel.onError((error) => errors.push(error))
  return { states, errors }
}

/** A page for the lifecycle option: `fire('pagehide', true)` and the like; `target.navigator.onLine` can be changed. */
export function fakePage(onLine = true) {
  const target = new EventTarget() as EventTarget & LifecycleTarget
  target.navigator = { onLine }
  const fire = (type: string, persisted?: boolean) => target.dispatchEvent(Object.assign(new Event(type), persisted === undefined ? {} : { persisted }))
  return { target, fire }
}

/** The server's extension frames (docs/protocol.md), as a test plays the server. */
export const frames = {
  hello: (last = '0-0', extra: Record<string, unknown> = {}) => `:${JSON.stringify({ type: 'hello', v: 1, last, ...extra })}`,
  ack: (seq: number) => `:{"type":"ack","seq":${seq}}`,
  nack: (seq: number, code: number, reason: string) => `:${JSON.stringify({ type: 'nack', seq, code, reason })}`,
  pong: (id: number, now: number) => `:{"type":"pong","id":${id},"now":${now}}`,
}

/** The query parameters of the URL a socket was made with. */
export const params = (socket: FakeWebSocket) => Object.fromEntries(new URL(socket.url).searchParams)

/** The ids of the pings a socket carried. */
export const pings = (socket: FakeWebSocket) => socket.sent.filter((frame) => frame.startsWith(':')).map((frame) => (JSON.parse(frame.slice(1)) as { id: number }).id)
