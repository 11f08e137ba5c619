/** Channel names and message shapes shared by the demo experiment and the demo pages. */

/** Every participant subscribes here: chat lines, room announcements, the roster. */
export const BROADCAST_CHANNEL = 'broadcast_channel'
/** Participants send to the experiment here and never subscribe to it. */
export const EXPERIMENT_CHANNEL = 'experiment_channel'

/** A participant's private channel, as Dallinger names it. */
export function privateChannel(participantId: string | number): string {
  return `participant_${participantId}_channel`
}

/** A line of chat; `room` is set on chatroom channels. */
export interface ChatMessage {
  type: 'chat'
  text: string
  sender: string | number
  room?: string
}

/** Broadcast when a chatroom is created; only the listed participants join it. */
export interface CreateChatroomMessage {
  type: 'create_chatroom'
  chatroom: string
  participant_ids: Array<string | number>
}

/** Broadcast whenever someone connects or leaves. */
export interface RosterMessage {
  type: 'roster'
  participants: string[]
}

/** Sent on a private channel: your room and your partner. */
export interface AssignmentMessage {
  type: 'assignment'
  room: string
  partner: string
  recipient: string
}

/** Sent to the experiment channel with a recipient; the experiment relays it to that private channel. */
export interface WhisperMessage {
  type: 'whisper'
  text: string
  sender: string | number
  recipient: string | number
}
