import { assertNever } from './connection-state.js'
import type { ConnectionState } from './connection-state.js'

type Timer = ReturnType<typeof setTimeout>

/** The public state of an attempt in progress: the first connection, or any later one. */
type AttemptState = 'connecting' | 'reconnecting'

/**
 * Where a transport's socket stands, each phase with the timer or wait it owns, which ends with it.
 * The public {@link ConnectionState} is derived from it ({@link publicState}).
 */
export type Phase =
  /**
   * A reconnect is due: the backoff `_delayMs` (cut to 0 by `online`) has not begun, or the wait
   * (`_timer`, none while offline) runs and `_wake` ends it early.
   */
  | { _name: 'waiting'; _delayMs: number; _timer?: Timer | undefined; _wake?: () => void }
  /** A socket is being made or is opening, under the connect timeout; `_timedOut` once that fired. */
  | { _name: 'connecting'; _state: AttemptState; _timer?: Timer; _timedOut?: true }
  /** Open, waiting for the server's hello (or its silence, `_timer`) to tell whether it resumes. */
  | { _name: 'negotiating'; _state: AttemptState; _timer: Timer }
  /** Open and announced, while the open handlers run: sends made from them wait behind the queue. */
  | { _name: 'announcing' }
  | { _name: 'open' }
  /** The page is in the back/forward cache; the socket is released, and what the library says of it ignored. */
  | { _name: 'suspended' }
  | { _name: 'closed' }

export function publicState(phase: Phase): ConnectionState {
  switch (phase._name) {
    case 'waiting':
    case 'suspended':
      return 'reconnecting'
    case 'connecting':
    case 'negotiating':
      return phase._state
    case 'announcing':
    case 'open':
      return 'open'
    case 'closed':
      return 'closed'
    default:
      return assertNever(phase)
  }
}

/** Ends what `phase` owns, as it is left. */
export function endPhase(phase: Phase): void {
  switch (phase._name) {
    case 'waiting':
      clearTimeout(phase._timer)
      return phase._wake?.()
    case 'connecting':
    case 'negotiating':
      return clearTimeout(phase._timer)
    case 'announcing':
    case 'open':
    case 'suspended':
    case 'closed':
      return
    default:
      return assertNever(phase)
  }
}
