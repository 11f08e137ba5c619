import { createServer } from 'node:http'
import type { Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLog, startServer } from '@switchboard/server'
import { expect, test } from './fixtures.js'

/** A page on its own origin that joins the Switchboard server at `api`: a credential, then a chat line it should hear back. */
const page = (api: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>elsewhere</title><link rel="icon" href="data:,"></head><body>
<pre data-testid="state">{}</pre>
<script src="${api}/static/switchboard.iife.js"></script>
<script>
  const state = { credential: 'pending', heard: [], closed: null }
  const show = () => (document.querySelector('[data-testid=state]').textContent = JSON.stringify(state))
  fetch('${api}/participant', { method: 'POST' })
    .then((response) => response.json())
    .then(({ participant, token }) => {
      state.credential = token ? 'issued' : 'none'
      const sb = Switchboard.createClient({ url: '${api.replace('http', 'ws')}/chat', credential: token, identity: { participantId: participant.id } })
      const broadcast = sb.openChannel('broadcast_channel')
      broadcast.on('chat', (m) => { state.heard.push(m.text); show() })
      broadcast.send({ type: 'chat', text: 'hello from another origin' })
      show()
    })
    .catch((error) => { state.credential = 'refused: ' + error.name; show() })
  show()
</script></body></html>`

async function pagesServer(html: string): Promise<{ url: string; server: HttpServer }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(html)
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server }
}

test('a page on another allowed origin gets a credential and chats; a page on an origin not allowed gets neither', async ({ browser }) => {
  const allowed = await pagesServer('')
  const switchboard = await startServer({ log: silentLog, allowedOrigins: [allowed.url] })
  const servers = [allowed.server]
  try {
    allowed.server.removeAllListeners('request').on('request', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(page(switchboard.url))
    })
    const other = await pagesServer(page(switchboard.url))
    servers.push(other.server)
    const state = async (url: string) => {
      const tab = await (await browser.newContext()).newPage()
      await tab.goto(url)
      return async () => JSON.parse((await tab.getByTestId('state').textContent()) ?? '{}') as { credential: string; heard: string[] }
    }
    const welcome = await state(allowed.url)
    await expect.poll(async () => (await welcome()).credential).toBe('issued')
    await expect.poll(async () => (await welcome()).heard).toEqual(['hello from another origin'])

    const nextId = async () => ((await (await fetch(`${switchboard.url}/participant`, { method: 'POST' })).json()) as { participant: { id: number } }).participant.id
    const before = await nextId()
    const refused = await state(other.url)
    // The browser blocks the answer (no CORS for this origin), and the server created nothing for it.
    await expect.poll(async () => (await refused()).credential).toBe('refused: TypeError')
    expect(await nextId()).toBe(before + 1)
  } finally {
    await switchboard.close()
    for (const server of servers) server.close()
  }
})
