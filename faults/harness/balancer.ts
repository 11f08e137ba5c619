import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A TCP balancer the test controls, in front of several server processes, so that clients keep one
 * URL (HTTP and WebSocket) while processes die: each new connection goes to the next backend in
 * turn, and to the one after it when that one refuses the connection. When a backend dies, the
 * connections it carried end, and their clients reconnect through here to one that lives.
 */
export interface Balancer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Connections open through it now. */
  readonly open: number
  /** How many connections went to each backend port, for a diagnosis. */
  readonly routed: ReadonlyMap<number, number>
  /** Connections no backend would take (each was closed at once). */
  readonly turnedAway: number
  close(): Promise<void>
}

export async function startBalancer(backendPorts: readonly number[]): Promise<Balancer> {
  if (backendPorts.length === 0) throw new Error('a balancer needs at least one backend')
  const clients = new Set<Socket>()
  const sockets = new Set<Socket>()
  const routed = new Map<number, number>(backendPorts.map((port) => [port, 0]))
  let next = 0
  let turnedAway = 0

  const route = (client: Socket) => {
    // Bytes the client sends before a backend is chosen wait in the socket.
    client.pause()
    clients.add(client)
    sockets.add(client)
    client.on('error', () => client.destroy())
    client.once('close', () => {
      clients.delete(client)
      sockets.delete(client)
    })
    const first = next
    next = (next + 1) % backendPorts.length
    const attempt = (tried: number) => {
      if (client.destroyed) return
      if (tried === backendPorts.length) {
        turnedAway += 1
        return void client.destroy()
      }
      const port = backendPorts[(first + tried) % backendPorts.length] as number
      const upstream = createConnection(port, '127.0.0.1')
      const failedToConnect = () => {
        upstream.destroy()
        attempt(tried + 1)
      }
      upstream.once('error', failedToConnect)
      upstream.once('connect', () => {
        upstream.off('error', failedToConnect)
        routed.set(port, (routed.get(port) ?? 0) + 1)
        sockets.add(upstream)
        const end = () => {
          client.destroy()
          upstream.destroy()
        }
        upstream.on('error', end)
        upstream.once('close', () => {
          sockets.delete(upstream)
          end()
        })
        client.once('close', end)
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
    }
    attempt(0)
  }

  const server = createServer(route)
  server.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get open() {
      return clients.size
    },
    routed,
    get turnedAway() {
      return turnedAway
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
