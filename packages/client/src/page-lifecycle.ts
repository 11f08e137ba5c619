import type { LifecycleTarget } from './options.js'

/** What a transport hears from the page. */
export interface PageListener {
  /** The browser is back online. */
  _online(): void
  /** The page goes into the back/forward cache. */
  _hidden(): void
  /** The page came back from the back/forward cache. */
  _shown(): void
}

/**
 * Listens to `target` (the page's `window`) for `listener` until the returned function is called.
 * Only `pagehide` and `pageshow` with `persisted` count: the others are a page being unloaded, or
 * loaded the first time, and change nothing for its sockets.
 */
export function listenToPage(target: LifecycleTarget, listener: PageListener): () => void {
  const online = (): void => listener._online()
  const hide = (event: Event): void => void ((event as PageTransitionEvent).persisted && listener._hidden())
  const show = (event: Event): void => void ((event as PageTransitionEvent).persisted && listener._shown())
  target.addEventListener('online', online)
  target.addEventListener('pagehide', hide)
  target.addEventListener('pageshow', show)
  return () => {
    target.removeEventListener('online', online)
    target.removeEventListener('pagehide', hide)
    target.removeEventListener('pageshow', show)
  }
}
