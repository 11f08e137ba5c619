import type { Channel } from './channel.js'
import { listen } from './handlers.js'
import type { Unsubscribe } from './handlers.js'
import type { Payload } from './frame.js'
import { sameId } from './identity.js'
import type { NoSchemas, SchemaMap } from './schema.js'

/** The messages rooms are announced and closed with, on the broadcast channel. */
export interface ChatroomOptions {
  /**
   * `{"type": <announce>, "chatroom": "room_1", "participant_ids": [...]}` opens `room_1` for listed participants.
   * @default 'create_chatroom'
   */
  announce?: string
  /**
   * `{"type": <close>, "chatroom": "room_1"}` closes `room_1`.
   * @default 'close_chatroom'
   */
  close?: string
}

/**
 * The chatrooms this participant was put in: opened when a `create_chatroom` announcement lists it
 * (once per room, however often it is announced), closed on `close_chatroom`.
 */
export class Chatrooms<S extends SchemaMap = NoSchemas> {
  readonly #joined = new Map<string, Channel<S>>()
  readonly #joinListeners = new Set<(room: Channel<S>) => void>()
  readonly #leaveListeners = new Set<(name: string) => void>()
  readonly #stopListening: Unsubscribe

  readonly #participantId: string
  readonly #open: (name: string) => Channel<S>

  constructor(
    broadcast: Channel<S>,
    participantId: string,
    open: (name: string) => Channel<S>,
    { announce = 'create_chatroom', close = 'close_chatroom' }: ChatroomOptions = {},
  ) {
    this.#participantId = participantId
    this.#open = open
    // onAny: the announcements need no schema of the page's own.
    this.#stopListening = broadcast.onAny((message) => {
      if (message.type === announce) this.#announced(message)
      else if (message.type === close && typeof message.chatroom === 'string') this.leave(message.chatroom)
    })
  }

  /** The rooms joined and not closed, by name. */
  get rooms(): ReadonlyMap<string, Channel<S>> {
    return this.#joined
  }

  /** Calls `listener` with each room's channel as it is joined. */
  onJoin(listener: (room: Channel<S>) => void): Unsubscribe {
    return listen(this.#joinListeners, listener)
  }

  /** Calls `listener` with a room's name when it is closed. */
  onLeave(listener: (name: string) => void): Unsubscribe {
    return listen(this.#leaveListeners, listener)
  }

  /** Closes a room's channel and forgets it. */
  leave(name: string): void {
    const room = this.#joined.get(name)
    if (!room) return
    this.#joined.delete(name)
    room.close()
    callEach(this.#leaveListeners, name)
  }

  /** Stops following announcements; with `closeRooms`, also closes every joined room. */
  stop({ closeRooms = false } = {}): void {
    this.#stopListening()
    if (closeRooms) for (const name of [...this.#joined.keys()]) this.leave(name)
  }

  #announced(message: Payload): void {
    const { chatroom, participant_ids: ids } = message
    // A room is never a private channel or the control channel, whoever announces one.
    if (typeof chatroom !== 'string' || NOT_A_ROOM.test(chatroom) || !Array.isArray(ids) || this.#joined.has(chatroom)) return
    if (!ids.some((id) => sameId(id, this.#participantId))) return
    const room = this.#open(chatroom)
    this.#joined.set(chatroom, room)
    callEach(this.#joinListeners, room)
  }
}

const NOT_A_ROOM = /^(participant_.*_channel|dallinger_control)$/

/**
 * Calls every listener even if one throws, then rethrows the first failure: it surfaces as a
 * ListenerError on the broadcast channel, whose handler this runs in.
 */
function callEach<T>(listeners: Set<(value: T) => void>, value: T): void {
  let failure: { error: unknown } | undefined
  for (const listener of [...listeners]) {
    try {
      listener(value)
    } catch (error) {
      failure ??= { error }
    }
  }
  if (failure) throw failure.error
}
