// The real relay passes the same conformance cases as the fake server of @switchboard/client/testing.
import { afterEach, describe } from 'vitest'
import { silentLog, startServer } from '../src/index.js'
import type { Server } from '../src/index.js'
import { relayConformance } from '../../client/test/conformance.js'
import type { Connect } from '../../client/test/conformance.js'
import { peer } from './ws-peer.js'

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

describe('the real relay, as the conformance cases describe it', () => {
  relayConformance((): Connect => {
    // Stock Dallinger pages: any channel, no credentials.
    const started = startServer({ log: silentLog, allowAnonymous: true, channelRules: 'dallinger' })
    return async (query) => {
      const server = await started
      if (!servers.includes(server)) servers.push(server)
      const socket = await peer(server.url, query)
      return { frames: socket.frames, send: (frame) => socket.send(frame), close: () => socket.ws.close() }
    }
  })
})
