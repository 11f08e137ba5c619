/**
 * Channel names and the zod schemas of every message the demo experiment and its pages exchange.
 * The server validates with them, and the module page hands them to the client, which types its
 * handlers from them.
 */
import { z } from 'zod'

/** Every participant subscribes here: chat lines, room announcements, the roster. */
export const BROADCAST_CHANNEL = 'broadcast_channel'
/** Participants send to the experiment here and never subscribe to it. */
export const EXPERIMENT_CHANNEL = 'experiment_channel'

/** A participant's private channel, as Dallinger names it. */
export function privateChannel(participantId: string | number): string {
  return `participant_${participantId}_channel`
}

const id = z.union([z.string().min(1), z.number().int()])

/** A line of chat; `room` is set on chatroom channels. */
export const ChatSchema = z.object({ type: z.literal('chat'), text: z.string().min(1).max(2000), sender: id, room: z.string().optional() })
/** Broadcast when a chatroom is created; only the listed participants join it. */
export const CreateChatroomSchema = z.object({ type: z.literal('create_chatroom'), chatroom: z.string(), participant_ids: z.array(id) })
/** Broadcast when a chatroom is closed; its members leave it. */
export const CloseChatroomSchema = z.object({ type: z.literal('close_chatroom'), chatroom: z.string() })
/** Broadcast whenever someone connects or leaves. */
export const RosterSchema = z.object({ type: z.literal('roster'), participants: z.array(z.string()) })
/** Sent on a private channel: your room and your partner. */
export const AssignmentSchema = z.object({ type: z.literal('assignment'), room: z.string(), partner: z.string(), recipient: z.string() })
/** Sent to the experiment channel with a recipient; the experiment relays it to that private channel. */
export const WhisperSchema = z.object({ type: z.literal('whisper'), text: z.string().min(1).max(2000), sender: id, recipient: id })

/** Every demo message by `type`, for `createClient({ schemas })`. */
export const demoSchemas = {
  chat: ChatSchema,
  create_chatroom: CreateChatroomSchema,
  close_chatroom: CloseChatroomSchema,
  roster: RosterSchema,
  assignment: AssignmentSchema,
  whisper: WhisperSchema,
}

export type ChatMessage = z.infer<typeof ChatSchema>
export type CreateChatroomMessage = z.infer<typeof CreateChatroomSchema>
export type CloseChatroomMessage = z.infer<typeof CloseChatroomSchema>
export type RosterMessage = z.infer<typeof RosterSchema>
export type AssignmentMessage = z.infer<typeof AssignmentSchema>
export type WhisperMessage = z.infer<typeof WhisperSchema>
