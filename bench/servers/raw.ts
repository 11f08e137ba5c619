// The ceiling for fan-out and memory: a minimal ws server that relays channel:payload frames to every
// socket of the channel, with nothing else (no checks, no control events, no broker).
import './gc.js'
import { WebSocketServer } from 'ws'
import type { WebSocket } from 'ws'

const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
const channels = new Map<string, Set<WebSocket>>()
wss.on('connection', (ws, request) => {
  const channel = new URL(request.url ?? '/', 'http://x').searchParams.get('channel') ?? ''
  const members = channels.get(channel) ?? new Set<WebSocket>()
  channels.set(channel, members)
  members.add(ws)
  ws.on('message', (data) => {
    const text = data.toString()
    const colon = text.indexOf(':')
    for (const member of channels.get(text.slice(0, colon)) ?? []) member.send(text)
  })
  ws.on('close', () => members.delete(ws))
})
wss.on('listening', () => console.log(`ready ${(wss.address() as { port: number }).port} ${process.pid}`))
