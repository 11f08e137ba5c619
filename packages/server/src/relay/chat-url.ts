// A /chat request's URL, read without building a URL object for the plain `/chat?…` every client
// sends: thousands of sockets opening at once should not each leave a URL behind as garbage.

/** Whether an upgrade request's URL is for `/chat`, as `new URL(url).pathname` would say. */
export function isChat(url = '/'): boolean {
  if (url.startsWith('/chat') && (url.length === 5 || url[5] === '?')) return true
  return new URL(url, 'http://switchboard').pathname === '/chat'
}

/** The query of a request's URL, as `new URL(url).searchParams` reads it. */
export function queryOf(url = '/'): URLSearchParams {
  const hash = url.indexOf('#')
  const end = hash < 0 ? url.length : hash
  const start = url.indexOf('?')
  return new URLSearchParams(start < 0 || start > end ? '' : url.slice(start + 1, end))
}
