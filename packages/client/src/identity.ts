import { UsageError } from './errors.js'

/** Who this page is, as Dallinger knows it. Ids may be strings or numbers; both compare equal. */
export interface Identity {
  workerId?: string | number | null | undefined
  participantId?: string | number | null | undefined
}

interface DallingerGlobal {
  dallinger?: { identity?: Identity }
}

/**
 * The identity to connect with: the explicit one when given, else `window.dallinger.identity`
 * (read at call time, since Dallinger fills `participantId` only once the participant exists).
 */
export function resolveIdentity(explicit?: Identity): Identity {
  const source = explicit ?? (globalThis as DallingerGlobal).dallinger?.identity ?? {}
  return { workerId: idOrUndefined(source.workerId), participantId: idOrUndefined(source.participantId) }
}

/**
 * A usable id as a string, or undefined. Besides null and '', the strings "undefined" and "null"
 * count as missing: they are what pages store in localStorage when an id was never set.
 */
export function idOrUndefined(id: unknown): string | undefined {
  if (typeof id === 'number') return Number.isFinite(id) ? String(id) : undefined
  if (typeof id !== 'string') return undefined
  const trimmed = id.trim()
  return trimmed === '' || trimmed === 'undefined' || trimmed === 'null' ? undefined : trimmed
}

/** Ids compare equal as strings or numbers: `7` and `"7"` are the same participant. */
export function sameId(a: unknown, b: unknown): boolean {
  const left = idOrUndefined(a)
  return left !== undefined && left === idOrUndefined(b)
}

/** The own participant id, or a UsageError naming `what` needed it and where the id comes from. */
export function requireParticipantId(identity: Identity, what: string): string {
  const id = idOrUndefined(identity.participantId)
  if (id === undefined) throw new UsageError(`${what} needs identity.participantId`)
  return id
}
