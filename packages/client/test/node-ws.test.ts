import { createServer } from 'node:net'
import type { AddressInfo, Server, Socket as NetSocket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createClient } from '../src/client.js'
import type { Channel } from '../src/channel.js'
import type { StateChange } from '../src/connection-state.js'
import { quietLogger } from './helpers.js'

// The client in Node with the real `ws`, against TCP servers that misbehave. Real sockets and real
// timers, but no fixed port (listen on 0) and no sleeps: each test waits for state changes.

const servers: Server[] = []
const sockets: NetSocket[] = []
const uncaught: unknown[] = []
const onUncaught = (error: unknown) => uncaught.push(error)
process.on('uncaughtException', onUncaught)

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy()
  for (const server of servers.splice(0)) server.close()
})

async function listen(onConnection: (socket: NetSocket) => void = (socket) => sockets.push(socket)): Promise<number> {
  const server = createServer(onConnection)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

function open(port: number, options = {}): Channel {
  return createClient({ url: `ws://127.0.0.1:${port}/chat`, WebSocket, logger: quietLogger, minDelayMs: 5, maxDelayMs: 5, ...options }).openChannel('c')
}

/** The state changes of `channel` until `count` of them have reason `reason`. */
function until(channel: Channel, reason: StateChange['reason'], count: number): Promise<StateChange[]> {
  const seen: StateChange[] = []
  return new Promise((resolve) =>
    channel.onStateChange((change) => {
      seen.push(change)
      if (seen.filter((c) => c.reason === reason).length === count) resolve([...seen])
    }),
  )
}

describe('in Node with ws', () => {
  it('survives connect timeouts against a server that accepts TCP and never answers the upgrade', async () => {
    const port = await listen()
    const channel = open(port, { connectTimeoutMs: 50, resume: true })
    const seen = await until(channel, 'timeout', 3)
    // Every abandoned socket has emitted its 'error' and 'close' by the time the third attempt timed out.
    channel.close()
    expect(seen.map((s) => s.reason)).toEqual(['timeout', 'timeout', 'timeout'])
    expect(uncaught).toEqual([])
  })

  it('reconnects after a refused connection (close 1006), with no error thrown', async () => {
    const port = await listen()
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
    const channel = open(port)
    const seen = await until(channel, 'lost', 2)
    channel.close()
    expect(seen.map((s) => [s.reason, s.close?.code])).toEqual([
      ['lost', 1006],
      ['lost', 1006],
    ])
    expect(uncaught).toEqual([])
  })

  it('reconnects after a server that answers the upgrade with an HTTP error', async () => {
    const port = await listen((socket) => {
      socket.on('data', () => socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'))
      sockets.push(socket)
    })
    const channel = open(port)
    const seen = await until(channel, 'lost', 2)
    channel.close()
    expect(seen.every((s) => s.close?.code === 1006)).toBe(true)
    expect(uncaught).toEqual([])
  })
})
