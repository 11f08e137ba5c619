import type { Unsubscribe } from './handlers.js'

/**
 * Handlers called one after another on the hot path, e.g. a channel's for one message type. The list
 * is replaced, never changed in place, when a handler is added or removed: dispatch walks it as it is,
 * with no copy per message, and a handler removed during a dispatch still gets the message being
 * dispatched (what an emitter that copies its list on every emit, like mitt, does).
 */
export class HandlerList<H> {
  /** The handlers now, in the order they were added. Never changed in place. */
  _all: readonly H[] = []

  /**
   * Adds `handler`; returns the function that removes it (harmless when called again). Each handler
   * must be a new function, as the inbox's wrapped ones are: removing one added twice removes both.
   */
  _add(handler: H): Unsubscribe {
    this._all = [...this._all, handler]
    return () => {
      this._all = this._all.filter((added) => added !== handler)
    }
  }
}
