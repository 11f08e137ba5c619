import { createConnection, createServer } from 'node:net'
import type { Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A TCP proxy on a free loopback port that the test controls, for faults a real network makes:
 * `blackHole()` stops forwarding on every WebSocket connection open now, in both directions, without
 * closing anything (a NAT that forgot the long-lived connection's mapping, a Wi-Fi hand-over, a dead
 * middlebox); connections made afterwards, and plain HTTP, pass as usual. `cut()` resets every open
 * connection.
 */
export interface TcpProxy {
  /** `http://localhost:<port>`: pages loaded from here reach the target through the proxy. */
  url: string
  port: number
  /** Open connections through the proxy that still forward. */
  readonly live: number
  blackHole(): void
  cut(): void
  close(): Promise<void>
}

interface Pair {
  client: Socket
  upstream: Socket
  holed: boolean
  /** Whether the client's first bytes asked for a WebSocket upgrade. */
  websocket: boolean | undefined
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1')
    const pair: Pair = { client, upstream, holed: false, websocket: undefined }
    pairs.add(pair)
    // Data on a black-holed pair is read and dropped: the sender's writes succeed, nothing arrives.
    client.on('data', (chunk: Buffer) => {
      pair.websocket ??= /^upgrade: *websocket/im.test(chunk.toString('latin1'))
      if (!pair.holed) upstream.write(chunk)
    })
    upstream.on('data', (chunk) => pair.holed || client.write(chunk))
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', end)
      socket.on('close', () => pair.holed || end())
    }
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://localhost:${port}`,
    port,
    get live() {
      return [...pairs].filter((pair) => !pair.holed).length
    },
    blackHole() {
      for (const pair of pairs) if (pair.websocket) pair.holed = true
    },
    cut() {
      for (const pair of pairs) {
        pair.client.resetAndDestroy()
        pair.upstream.destroy()
      }
      pairs.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy()
          pair.upstream.destroy()
        }
        server.close(() => resolve())
      }),
  }
}
