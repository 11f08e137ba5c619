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

/** Lets the library create its next socket (it does so after a zero timeout) and returns it. */
export async function nextSocket(afterMs = 0): Promise<FakeWebSocket> {
  const before = FakeWebSocket.instances.length
  await vi.advanceTimersByTimeAsync(afterMs)
  if (FakeWebSocket.instances.length === before) throw new Error(`no new socket within ${afterMs} ms`)
  return FakeWebSocket.latest()
}

/**
 * The socket of the reconnect attempt announced by the last state change, created after its delay
 * (plus the library's own zero timeout, which Node runs after 1 ms).
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
