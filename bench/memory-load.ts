// The load side of the memory benchmark: CONNECTIONS idle sockets to URL, then "ready", then it waits.
import { WebSocket } from 'ws'
import { benchCredentials } from './bench-credentials.js'

const env = process.env
const CONNECTIONS = Number(env.CONNECTIONS ?? 2000)
const credentials = await benchCredentials(env.URL)
const sockets: WebSocket[] = []
for (let id = 1; id <= CONNECTIONS; id++) {
  const ws = new WebSocket(`${env.URL?.replace('http', 'ws')}/chat?channel=broadcast_channel&participant_id=${id}&token=${credentials.issue(id)}`)
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  sockets.push(ws)
}
console.log('ready')
process.once('SIGTERM', () => process.exit(0))
setInterval(() => {}, 1 << 30)
