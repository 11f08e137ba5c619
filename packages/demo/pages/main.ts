// The ES-module demo page: the SDK imported as a module and bundled by vite, every message typed and
// validated by the zod schemas the experiment uses too.
import { createClient } from '@switchboard/client'
import { createServerClock } from '@switchboard/client/clock'
import { watchPresence } from '@switchboard/client/presence'
import type { Channel } from '@switchboard/client'
import { BROADCAST_CHANNEL, EXPERIMENT_CHANNEL, demoSchemas } from '../src/messages.js'
import type {} from './session.js'
import type {} from './ui.js'

type DemoChannel = Channel<typeof demoSchemas>

const ui = window.DemoUI
const session = window.DemoSession
const state = ui.createState()
ui.mount(document.getElementById('app') as HTMLElement)
const render = () => ui.render(state)
render()

// Each tab is a participant of its own, with a credential of its own for its sockets; a reload
// keeps both (demo-session.js).
const { participantId: me, workerId, token, restored } = await session.start()
state.participantId = me
state.restored = restored

const sb = createClient({
  schemas: demoSchemas,
  identity: { participantId: me, workerId },
  credential: token,
  ...ui.connectionOptions(),
})
// Every channel is mirrored on the page, and any of them may hear that the server lost this participant.
const track = <C extends DemoChannel>(channel: C): C => session.startOverWhenRefused(ui.track(state, channel, render))

const broadcast = track(sb.openChannel(BROADCAST_CHANNEL))
const inbox = track(sb.openPrivateChannel())
// The server's time, for the rooms' timed rounds: the same moment on every page, whatever its clock says.
const clock = createServerClock(broadcast)
ui.watchClock(state, clock, render)

broadcast.on('chat', ({ sender, text }) => {
  state.broadcast.push({ sender: String(sender), text })
  render()
})
// Who is here: presence of the broadcast channel, by participant, with the server's grace period.
ui.followRoster(state, watchPresence(broadcast), render)

// A room's channel can be opened three ways (its announcement, the assignment, a reload): it is
// followed once, whichever comes first.
const followed = new Set<string>()
function follow(room: DemoChannel): void {
  if (followed.has(room.name)) return
  followed.add(room.name)
  track(room).on('chat', ({ sender, text }) => {
    state.roomChat.push({ room: room.name, sender: String(sender), text })
    render()
  })
  room.on('round', (round) => ui.followRound(state, round, render))
  ui.followPartner(state, watchPresence(room), render, room.name)
  render()
}
const rooms = sb.joinChatrooms(broadcast)
rooms.onJoin(follow)
broadcast.on('close_chatroom', ({ chatroom }) => {
  // joinChatrooms closes the rooms it joined; a room reopened after a reload it never heard of.
  sb.channel(chatroom)?.close()
  followed.delete(chatroom)
  if (state.room === chatroom) assign(null)
  render()
})

function assign(assignment: { room: string; partner: string } | null): void {
  state.room = assignment?.room ?? null
  state.partner = assignment?.partner ?? null
  session.saveAssignment(assignment)
  // The room is opened at once rather than on its announcement: the experiment records the members
  // before it tells them, so the server lets this tab in whichever message arrives first.
  if (assignment) follow(sb.openChannel(assignment.room))
}
// The experiment tells a participant its room once, when it pairs it: a reloaded tab goes back to
// the room it kept.
assign(session.assignment())
inbox.on('assignment', ({ room, partner }) => {
  state.inbox.push({ type: 'assignment', room, partner })
  assign({ room, partner })
  render()
})
inbox.on('whisper', ({ sender, text }) => {
  state.inbox.push({ type: 'whisper', sender: String(sender), text })
  render()
})

ui.onSubmit('broadcast-form', ({ text = '' }) => {
  broadcast.send({ type: 'chat', text, sender: me })
})
ui.onSubmit('room-form', ({ text = '' }) => {
  const name = state.room
  const room = name === null ? undefined : sb.channel(name)
  if (name === null || !room) return false
  room.send({ type: 'chat', text, sender: me, room: name })
  return true
})
ui.onSubmit('whisper-form', ({ recipient = '', text = '' }) => {
  inbox.sendTo(EXPERIMENT_CHANNEL, { type: 'whisper', text, sender: me, recipient })
})
// For trying things by hand in the console (and for tests that play a curious participant).
Object.assign(window, { demo: { client: sb, clock, credential: token, participantId: me, open: (name: string) => track(sb.openChannel(name)) } })
render()
