// Credentials for a benchmark's sockets, minted here instead of asked for one by one: the server under
// test shares SWITCHBOARD_SECRET with the load process, and its GET /status tells the state's epoch.
// A reference server that checks no credentials has no /status; any token does for it.
import { Credentials } from '@switchboard/server'

export async function benchCredentials(serverUrl: string | undefined, secret = process.env.SWITCHBOARD_SECRET ?? 'bench'): Promise<Credentials> {
  const status = serverUrl ? await fetch(`${serverUrl}/status`).then((response) => (response.ok ? (response.json() as Promise<{ epoch?: number }>) : {}), () => ({})) : {}
  return Credentials.of(secret, 'epoch' in status && typeof status.epoch === 'number' ? status.epoch : 0)
}
