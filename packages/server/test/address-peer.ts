import { request } from 'node:http'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import type { Peer } from './ws-peer.js'

/** Where a test client comes from: a loopback address of its own (Linux routes 127.0.0.0/8 to lo), or a forwarded one. */
export interface From {
  localAddress?: string
  headers?: Record<string, string>
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One HTTP request on a connection of its own, closed after the answer. */
export function httpRequest(baseUrl: string, path: string, method = 'GET', from: From = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { connection: 'close', ...from.headers }
    const sent = request(new URL(path, baseUrl), { method, agent: false, headers, ...(from.localAddress ? { localAddress: from.localAddress } : {}) }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    sent.on('error', reject)
    sent.end()
  })
}

/** A new participant created from `from`, and the query its sockets connect with. */
export async function participantFrom(baseUrl: string, from: From = {}): Promise<{ id: string; query(channel: string): Record<string, string> }> {
  const answer = await httpRequest(baseUrl, '/participant', 'POST', from)
  if (answer.status !== 200) throw new Error(`POST /participant: ${answer.status} ${answer.body}`)
  const { participant, token } = JSON.parse(answer.body) as { participant: { id: number }; token: string }
  const id = String(participant.id)
  return { id, query: (channel) => ({ channel, participant_id: id, token }) }
}

/** A bare TCP connection that records what the server sends and when it closes. */
export interface RawConnection {
  socket: Socket
  received: () => string
  closed: Promise<void>
}

export async function rawConnection(port: number, localAddress: string): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port, localAddress })
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (received += chunk))
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  return { socket, received: () => received, closed }
}

/** Sends a frame on the broadcast channel and waits for its echo: the server still serves this socket. */
export async function roundTrip(socket: Peer, timeoutMs = 2000): Promise<void> {
  const frame = `broadcast_channel:{"text":"still here ${Math.random()}"}`
  socket.send(frame)
  await socket.receivedFrame(frame, timeoutMs)
}
