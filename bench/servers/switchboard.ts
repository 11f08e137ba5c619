// The Switchboard server as benchmarks run it: the relay with access checks (the standard channel
// rules), credentials and control events, limits raised so the load itself is not refused, and no
// experiment (a chat experiment's roster broadcasts on every connect would dominate the figures).
import './gc.js'
import { RedisBackend, silentLog, startServer } from '@switchboard/server'

const redis = process.env.REDIS_URL ? await RedisBackend.connect(process.env.REDIS_URL, silentLog) : undefined
const server = await startServer({
  port: Number(process.env.PORT ?? 0),
  log: silentLog,
  ...(redis ? { broker: redis, state: redis } : {}),
  // Every load client comes from 127.0.0.1, so the per-address caps are lifted too (the open-file limit still bounds maxSockets).
  limits: { framesPerSecond: 1e9, frameBurst: 1e9, participantFramesPerSecond: 1e9, participantBytesPerSecond: 1e12, connectionsPerParticipant: 1e9, channelsPerParticipant: 1e9, maxBufferedBytes: 64 * 1024 * 1024, socketsPerAddress: 1e9, participantsPerMinute: 1e9, handshakesPerAddress: 1e9 },
})
console.log(`ready ${server.port} ${process.pid}`)
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)))
