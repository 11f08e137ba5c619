import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

/** A TCP proxy to `targetPort` the test can cut (every connection reset, new ones refused) and heal. */
export interface CutProxy {
  port: number
  cut(): void
  heal(): void
  close(): Promise<void>
}

export async function cutProxy(targetPort: number): Promise<CutProxy> {
  const open = new Set<Socket>()
  let cut = false
  const server = createServer((client) => {
    if (cut) return void client.destroy()
    const upstream = createConnection(targetPort, '127.0.0.1')
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      open.add(from)
      from.on('error', () => to.destroy())
      from.on('close', () => {
        open.delete(from)
        to.destroy()
      })
      from.pipe(to)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      cut = true
      for (const socket of open) socket.destroy()
    },
    heal() {
      cut = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
