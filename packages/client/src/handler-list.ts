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

  /** Adds `handler` (again, if it is already in); returns the function that removes this one entry. */
  _add(handler: H): Unsubscribe {
    this._all = [...this._all, handler]
    let added = true
    return () => {
      if (!added) return
      added = false
      const at = this._all.indexOf(handler)
      this._all = this._all.filter((_, i) => i !== at)
    }
  }
}
