// The Switchboard server as benchmarks run it: the relay with access checks (the standard channel
// rules), credentials and control events, limits raised so the load itself is not refused, and no
// experiment (a chat experiment's roster broadcasts on every connect would dominate the figures).
// SIGUSR1 drops every socket (dropConnections) and may publish; SIGUSR2 collects garbage (gc.ts).
import './gc.js'
import { RedisBackend, silentLog, startServer } from '@switchboard/server'

const redis = process.env.REDIS_URL ? await RedisBackend.connect(process.env.REDIS_URL, silentLog) : undefined
const server = await startServer({
  port: Number(process.env.PORT ?? 0),
  log: silentLog,
  ...(redis ? { broker: redis, state: redis } : {}),
  // Every load client comes from 127.0.0.1, so the per-address caps are lifted too, and the process-wide
  // maxSockets (10,000 by default) so the memory benchmark's 10,000 sockets and a probe fit; the
  // open-file limit still bounds what the process can hold.
  limits: { framesPerSecond: 1e9, frameBurst: 1e9, participantFramesPerSecond: 1e9, participantBytesPerSecond: 1e12, connectionsPerParticipant: 1e9, channelsPerParticipant: 1e9, maxBufferedBytes: 64 * 1024 * 1024, socketsPerAddress: 1e9, participantsPerMinute: 1e9, handshakesPerAddress: 1e9, maxSockets: 1e9 },
})
// The resume benchmark's trigger: every socket cut at once without a close handshake, as a network
// failure does; then, on the process given PUBLISH_ON_DROP, that many messages published on
// broadcast_channel as an experiment's server side publishes (into history), all in the same tick so
// that they are stored before any client can be back.
const publishOnDrop = Number(process.env.PUBLISH_ON_DROP ?? 0)
process.on('SIGUSR1', () => {
  server.dropConnections()
  for (let n = 0; n < publishOnDrop; n++) void server.broker.publish('broadcast_channel', JSON.stringify({ type: 'bench', n }))
})
console.log(`ready ${server.port} ${process.pid}`)
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)))
