import { UsageError } from './errors.js'
import type { Payload } from './frame.js'
import { idOrUndefined, requireParticipantId, sameId } from './identity.js'

/** Narrows a handler to some messages; all given conditions must hold. */
export interface MessageFilter<M = Payload> {
  /** Only messages whose `room` equals this. */
  room?: string | number
  /** Only messages whose `recipient` is this id; `'me'` is the own participant id. Ids compare as strings. */
  recipient?: 'me' | string | number
  /** Only messages for which this returns true (called after `room` and `recipient` matched). */
  where?: (message: M) => boolean
}

export type Predicate = (payload: Payload) => boolean

const always: Predicate = () => true

/** Turns a filter into a predicate once, at subscription time, so dispatch does no parsing of it. */
export function compileFilter<M>(filter: MessageFilter<M> | undefined, ownId: string | undefined): Predicate {
  if (!filter) return always
  const { room, where } = filter
  let recipient: string | undefined
  if (filter.recipient !== undefined) {
    recipient = filter.recipient === 'me' ? requireParticipantId({ participantId: ownId }, "{ recipient: 'me' }") : idOrUndefined(filter.recipient)
    if (recipient === undefined) throw new UsageError(`Bad recipient: ${JSON.stringify(filter.recipient)}`)
  }
  const roomText = room === undefined ? undefined : String(room)
  return (payload) =>
    (roomText === undefined || payload.room === room || ((typeof payload.room === 'number' || typeof payload.room === 'string') && String(payload.room) === roomText)) &&
    (recipient === undefined || sameId(payload.recipient, recipient)) &&
    (where === undefined || where(payload as M))
}
