/**
 * Channel names and the zod schemas of every message the demo experiment and its pages exchange.
 * The experiment checks the whispers it relays with them, and the module page hands them to the
 * client, which validates what it receives and sends and types its handlers from them.
 *
 * The descriptions and each message's `meta` (who sends it, on which channel, when, an example) are
 * documentation only: zod never looks at them when parsing. scripts/catalogue.ts prints the message
 * catalogue in README.md from them, and test/catalogue.test.ts fails when the two differ.
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

/** One way a message travels: who sends it, on which channel, and when. */
interface Route {
  from: 'a page' | 'the experiment'
  on: string
  when: string
}

/** What the catalogue says of a message besides its fields. */
interface Catalogued {
  description: string
  routes: Route[]
  examples: [Record<string, unknown>]
}

const A_PRIVATE_CHANNEL = privateChannel('{id}')
const A_ROOM = 'room_{n}'

const id = z.union([z.string().min(1), z.number().int()])

/** A line of chat; `room` is set on chatroom channels. */
export const ChatSchema = z
  .object({
    type: z.literal('chat'),
    text: z.string().min(1).max(2000).describe('what was said'),
    sender: id.describe('the participant id of who said it, or "experiment"'),
    room: z.string().optional().describe('the room it was said in: set on a room channel, absent on broadcast_channel'),
  })
  .meta({
    description: 'A line of chat.',
    routes: [
      { from: 'a page', on: BROADCAST_CHANNEL, when: 'its broadcast form is sent' },
      { from: 'a page', on: A_ROOM, when: 'its room form is sent (its own room only: the server lets members alone use a room)' },
      { from: 'the experiment', on: BROADCAST_CHANNEL, when: '`announce(text)` is called; `sender` is "experiment"' },
    ],
    examples: [{ type: 'chat', text: 'hello', sender: '1', room: 'room_1' }],
  } satisfies Catalogued)
/** Broadcast when a chatroom is created; only the listed participants join it. */
export const CreateChatroomSchema = z
  .object({
    type: z.literal('create_chatroom'),
    chatroom: z.string().describe('the room, which is also its channel name: room_<id>, with an id never used before'),
    participant_ids: z.array(id).describe('its members, the two participants paired into it; the pages listed join it (joinChatrooms)'),
  })
  .meta({
    description: 'A chatroom was created.',
    routes: [
      {
        from: 'the experiment',
        on: BROADCAST_CHANNEL,
        when: 'it pairs two participants, once the server lets the members in; a participant that sends it is refused (4403)',
      },
    ],
    examples: [{ type: 'create_chatroom', chatroom: 'room_1', participant_ids: ['1', '2'] }],
  } satisfies Catalogued)
/** Broadcast when a chatroom is closed; its members leave it. */
export const CloseChatroomSchema = z
  .object({
    type: z.literal('close_chatroom'),
    chatroom: z.string().describe('the room: its members close its channel'),
  })
  .meta({
    description: 'A chatroom was closed.',
    routes: [
      {
        from: 'the experiment',
        on: BROADCAST_CHANNEL,
        when: 'never in this demo, whose rooms stay open (the pages leave a room on it); a participant that sends it is refused (4403)',
      },
    ],
    examples: [{ type: 'close_chatroom', chatroom: 'room_1' }],
  } satisfies Catalogued)
/** Broadcast whenever someone connects or leaves. */
export const RosterSchema = z
  .object({
    type: z.literal('roster'),
    participants: z.array(z.string()).describe('the ids of participants with at least one open socket, in the order they connected'),
  })
  .meta({
    description: 'Who is here.',
    routes: [
      {
        from: 'the experiment',
        on: BROADCAST_CHANNEL,
        when: "any participant's socket connects or disconnects; a participant that sends it is refused (4403)",
      },
    ],
    examples: [{ type: 'roster', participants: ['1', '2', '3'] }],
  } satisfies Catalogued)
/** Sent on a private channel: your room and your partner. */
export const AssignmentSchema = z
  .object({
    type: z.literal('assignment'),
    room: z.string().describe('the room it was paired into, as in create_chatroom'),
    partner: z.string().describe('the id of the other participant in the room'),
    recipient: z.string().describe('the id of the participant it is for'),
  })
  .meta({
    description: 'Your chatroom and your partner.',
    routes: [
      {
        from: 'the experiment',
        on: A_PRIVATE_CHANNEL,
        when: 'it pairs this participant, right after create_chatroom; once, never again (not after a reconnect or a reload)',
      },
    ],
    examples: [{ type: 'assignment', room: 'room_1', partner: '2', recipient: '1' }],
  } satisfies Catalogued)
/** Sent to the experiment channel with a recipient; the experiment relays it to that private channel. */
export const WhisperSchema = z
  .object({
    type: z.literal('whisper'),
    text: z.string().min(1).max(2000).describe('what was whispered'),
    sender: id.describe('the id of who whispers (as the sending page says), or "experiment"'),
    recipient: id.describe('the id of the participant it is for; the experiment relays it with this as a string'),
  })
  .meta({
    description: 'A private line to one participant.',
    routes: [
      { from: 'a page', on: EXPERIMENT_CHANNEL, when: 'its whisper form is sent' },
      {
        from: 'the experiment',
        on: A_PRIVATE_CHANNEL,
        when: "it relays a whisper to its recipient's channel (one that fails this schema is logged and dropped), or `sendPrivate()` is called",
      },
    ],
    examples: [{ type: 'whisper', text: 'psst', sender: '1', recipient: '3' }],
  } satisfies Catalogued)

/** Sent in a new room: a timed round that begins and ends at the same server time on every page. */
export const RoundSchema = z
  .object({
    type: z.literal('round'),
    room: z.string().describe('the room it is for'),
    startsAt: z.number().int().describe("when the round begins, by the server's clock (ms since 1970)"),
    endsAt: z.number().int().describe("when it ends, by the server's clock; pages count down to it with createServerClock"),
  })
  .meta({
    description: "A timed round in the room, in the server's time.",
    routes: [
      {
        from: 'the experiment',
        on: A_ROOM,
        when: 'right after it makes the room: it starts 3 s later and lasts 60 s; kept in the room, so a reloaded page gets it again (a participant that sends it is refused, 4403)',
      },
    ],
    examples: [{ type: 'round', room: 'room_1', startsAt: 1795306224240, endsAt: 1795306284240 }],
  } satisfies Catalogued)

/** Every demo message by `type`, for `createClient({ schemas })`. */
export const demoSchemas = {
  chat: ChatSchema,
  create_chatroom: CreateChatroomSchema,
  close_chatroom: CloseChatroomSchema,
  roster: RosterSchema,
  assignment: AssignmentSchema,
  whisper: WhisperSchema,
  round: RoundSchema,
}

export type ChatMessage = z.infer<typeof ChatSchema>
export type CreateChatroomMessage = z.infer<typeof CreateChatroomSchema>
export type CloseChatroomMessage = z.infer<typeof CloseChatroomSchema>
export type RosterMessage = z.infer<typeof RosterSchema>
export type AssignmentMessage = z.infer<typeof AssignmentSchema>
export type WhisperMessage = z.infer<typeof WhisperSchema>
export type RoundMessage = z.infer<typeof RoundSchema>
