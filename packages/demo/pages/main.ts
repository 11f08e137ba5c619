// The ES-module demo page: the SDK imported as a module, bundled by vite.
import { createClient } from '@switchboard/client'
import type { Channel } from '@switchboard/client'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, privateChannel } from '../src/messages.js'
import type { AssignmentMessage, ChatMessage, CreateChatroomMessage, RosterMessage, WhisperMessage } from '../src/messages.js'
import type {} from './ui.js'

const ui = window.DemoUI
const state = ui.createState()
ui.mount(document.getElementById('app') as HTMLElement, 'Switchboard demo (ES module)')
const render = () => ui.render(state)

const { participant } = await ui.post<{ participant: { id: number; worker_id: string } }>('/participant')
await ui.post(`/node/${participant.id}`)
const me = String(participant.id)
state.participantId = me

const client = createClient({ identity: { participantId: me, workerId: participant.worker_id }, ...ui.connectionOptions() })

/** Opens a channel and mirrors its state and errors on the page. */
function open(name: string): Channel {
  return ui.track(state, client.openChannel(name), render)
}

const broadcast = open(BROADCAST_CHANNEL)
const inbox = open(privateChannel(me))

broadcast.on('chat', (message) => {
  const { sender, text } = message as unknown as ChatMessage
  state.broadcast.push({ sender: String(sender), text })
  render()
})
broadcast.on('roster', (message) => {
  state.roster = (message as unknown as RosterMessage).participants.map(String)
  render()
})
broadcast.on('create_chatroom', (message) => {
  const { chatroom, participant_ids } = message as unknown as CreateChatroomMessage
  if (participant_ids.map(String).includes(me)) joinRoom(chatroom)
})
inbox.on('assignment', (message) => {
  const { room, partner } = message as unknown as AssignmentMessage
  state.room = room
  state.partner = partner
  state.inbox.push({ type: 'assignment', room, partner })
  joinRoom(room)
  render()
})
inbox.on('whisper', (message) => {
  const { sender, text } = message as unknown as WhisperMessage
  state.inbox.push({ type: 'whisper', sender: String(sender), text })
  render()
})

function joinRoom(room: string): void {
  if (client.channel(room)) return
  open(room).on('chat', (message) => {
    const { sender, text } = message as unknown as ChatMessage
    state.roomChat.push({ room, sender: String(sender), text })
    render()
  })
  render()
}

ui.onSubmit('broadcast-form', ({ text = '' }) => broadcast.send({ type: 'chat', text, sender: me } satisfies ChatMessage))
ui.onSubmit('room-form', ({ text = '' }) => {
  if (state.room) client.channel(state.room)?.send({ type: 'chat', text, sender: me, room: state.room } satisfies ChatMessage)
})
ui.onSubmit('whisper-form', ({ recipient = '', text = '' }) =>
  inbox.sendTo(EXPERIMENT_CHANNEL, { type: 'whisper', text, sender: me, recipient } satisfies WhisperMessage),
)
render()
