import { createConnection } from 'node:net'

// A loopback port that was free a moment ago: the server tests' own helper.
export { freePort } from '../../packages/server/test/redis-server.js'

/** Whether something accepts a TCP connection on `port` right now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
