import { waitFor } from './wait.js'

/** The parts of `GET /status` the suite reads. */
export interface ServerStatus {
  sockets: number
  broker: { kind: string; connected: boolean; outages?: number; lostPublishes?: number }
  experiment: boolean
}

export async function serverStatus(baseUrl: string): Promise<ServerStatus> {
  const response = await fetch(`${baseUrl}/status`, { signal: AbortSignal.timeout(2000) })
  if (!response.ok) throw new Error(`GET ${baseUrl}/status: ${response.status}`)
  return (await response.json()) as ServerStatus
}

/** Waits until the process at `baseUrl` answers and says its broker is connected (Redis back, say). */
export async function waitConnected(baseUrl: string, timeoutMs = 20_000): Promise<ServerStatus> {
  let last = 'no answer'
  return waitFor(
    `${baseUrl} to report its broker connected`,
    async () => {
      const status = await serverStatus(baseUrl)
      last = JSON.stringify(status.broker)
      return status.broker.connected ? status : undefined
    },
    { timeoutMs, intervalMs: 100, describe: () => last },
  )
}
