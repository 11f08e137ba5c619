import { waitFor } from './wait.js'

/** A participant as `POST /participant` made it: its id and its credential. */
export interface Participant {
  id: string
  token: string
}

/**
 * Creates a participant on the server at `baseUrl` (`POST /participant`, as a page would). A request
 * that fails on the way (a process dying behind the balancer) is tried again until `timeoutMs`.
 */
export async function newParticipant(baseUrl: string, timeoutMs = 15_000): Promise<Participant> {
  let last = ''
  return waitFor(
    `POST ${baseUrl}/participant to succeed`,
    async () => {
      const response = await fetch(`${baseUrl}/participant`, { method: 'POST', signal: AbortSignal.timeout(5000) })
      const text = await response.text()
      last = `${response.status} ${text.slice(0, 200)}`
      if (!response.ok) return undefined
      const { participant, token } = JSON.parse(text) as { participant: { id: number | string }; token: string }
      return { id: String(participant.id), token }
    },
    { timeoutMs, intervalMs: 100, describe: () => last },
  )
}

/** `count` participants, made one after another (as tabs arriving). */
export async function newParticipants(baseUrl: string, count: number): Promise<Participant[]> {
  const made: Participant[] = []
  for (let i = 0; i < count; i++) made.push(await newParticipant(baseUrl))
  return made
}
