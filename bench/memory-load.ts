// The load side of the memory benchmark: CONNECTIONS idle sockets to URL, then "ready", then it waits.
// A socket the server closes (refused after its upgrade, say) ends the script with the reason.
import { benchCredentials } from './bench-credentials.js'
import { fail } from './deadline.js'
import { chatUrl, openMany } from './sockets.js'

const env = process.env
const CONNECTIONS = Number(env.CONNECTIONS ?? 2000)
const credentials = await benchCredentials(env.URL)
const sockets = await openMany(CONNECTIONS, (i) => chatUrl(env.URL ?? '', 'broadcast_channel', i + 1, credentials)).catch((error: unknown) => fail('memory-load', error))
for (const ws of sockets) ws.once('close', (code, reason) => fail('memory-load', `a socket was closed with ${code} ${reason.toString()}`))
// A refusal comes after the upgrade: a moment for one to arrive before the sockets count as held.
await new Promise((resolve) => setTimeout(resolve, 500))
console.log('ready')
process.once('SIGTERM', () => process.exit(0))
setInterval(() => {}, 1 << 30)
