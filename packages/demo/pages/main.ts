// The ES-module demo page: the SDK imported as a module and bundled by vite, every message typed and
// validated by the zod schemas the experiment uses too.
import { createClient } from '@switchboard/client'
import type { Channel } from '@switchboard/client'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, demoSchemas } from '../src/messages.js'
import type {} from './ui.js'

const ui = window.DemoUI
const state = ui.createState()
ui.mount(document.getElementById('app') as HTMLElement, 'Switchboard demo (ES module)')
const render = () => ui.render(state)

// Each tab is a participant of its own, with a credential of its own for its sockets.
const { participant, token } = await ui.post<{ participant: { id: number; worker_id: string }; token: string }>('/participant')
await ui.post(`/node/${participant.id}`)
const me = String(participant.id)
state.participantId = me

const sb = createClient({
  schemas: demoSchemas,
  identity: { participantId: me, workerId: participant.worker_id },
  credential: token,
  ...ui.connectionOptions(),
})
const track = <C extends Channel<typeof demoSchemas>>(channel: C): C => ui.track(state, channel, render)

const broadcast = track(sb.openChannel(BROADCAST_CHANNEL))
const inbox = track(sb.openPrivateChannel())

broadcast.on('chat', ({ sender, text }) => {
  state.broadcast.push({ sender: String(sender), text })
  render()
})
broadcast.on('roster', ({ participants }) => {
  state.roster = participants
  render()
})
inbox.on('assignment', ({ room, partner }) => {
  state.room = room
  state.partner = partner
  state.inbox.push({ type: 'assignment', room, partner })
  render()
})
inbox.on('whisper', ({ sender, text }) => {
  state.inbox.push({ type: 'whisper', sender: String(sender), text })
  render()
})

const rooms = sb.joinChatrooms(broadcast)
rooms.onJoin((room) => {
  track(room).on('chat', ({ sender, text }) => {
    state.roomChat.push({ room: room.name, sender: String(sender), text })
    render()
  })
  render()
})

ui.onSubmit('broadcast-form', ({ text = '' }) => broadcast.send({ type: 'chat', text, sender: me }))
ui.onSubmit('room-form', ({ text = '' }) => {
  if (state.room) rooms.rooms.get(state.room)?.send({ type: 'chat', text, sender: me, room: state.room })
})
ui.onSubmit('whisper-form', ({ recipient = '', text = '' }) => inbox.sendTo(EXPERIMENT_CHANNEL, { type: 'whisper', text, sender: me, recipient }))
// For trying things by hand in the console (and for tests that play a curious participant).
Object.assign(window, { demo: { client: sb, credential: token, participantId: me, open: (name: string) => track(sb.openChannel(name)) } })
render()
