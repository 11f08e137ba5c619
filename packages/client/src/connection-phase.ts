import { assertNever } from './connection-state.js'
import type { ConnectionState } from './connection-state.js'

type Timer = ReturnType<typeof setTimeout>

/** The public state of an attempt in progress: the first connection, or any later one. */
type AttemptState = 'connecting' | 'reconnecting'

/**
 * Where a transport's socket stands, each phase with the timer it owns, which ends with it.
 * The public {@link ConnectionState} is derived from it ({@link publicState}).
 */
export type Phase =
  /**
   * A reconnect is due once `_timer` fires: after the backoff `_delayMs`, or at once (0) after
   * `online` or `pageshow`. No timer while offline: `online` ends the wait.
   */
  | { _name: 'waiting'; _delayMs: number; _timer?: Timer }
  /**
   * A socket is opening, under the connect timeout (`_timer`). Before the first socket, `_timer` is
   * the zero-delay turn that lets the page add its listeners before anything is announced.
   */
  | { _name: 'connecting'; _state: AttemptState; _timer: Timer }
  /** Open, waiting for the server's hello (or its silence, `_timer`) to tell whether it resumes. */
  | { _name: 'negotiating'; _state: AttemptState; _timer: Timer }
  /** Open and announced, while the open handlers run: sends made from them wait behind the queue. */
  | { _name: 'announcing' }
  /** Open; on a socket that speaks the extension, `_timer` is the heartbeat's next look at the silence. */
  | { _name: 'open'; _timer?: Timer | undefined }
  /** The page is in the back/forward cache; the socket is released. */
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
    case 'connecting':
    case 'negotiating':
    case 'open':
      return clearTimeout(phase._timer)
    case 'announcing':
    case 'suspended':
    case 'closed':
      return
    default:
      return assertNever(phase)
  }
}
