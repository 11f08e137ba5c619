import { fileURLToPath } from 'node:url'
import { silentLog, startServer } from '@switchboard/server'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures.js'

const STOCK_PAGES = fileURLToPath(new URL('./stock-pages/', import.meta.url))

const frames = async (page: Page) => JSON.parse((await page.getByTestId('frames').textContent()) ?? '[]') as string[]

async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('chat-form').locator('input[name="text"]').fill(text)
  await page.getByTestId('chat-form').getByRole('button', { name: 'Send' }).click()
}

test('the dallinger preset runs stock Dallinger chatroom pages: a channel the server was never told about, no credentials, chat both ways, byte for byte', async ({ browser }) => {
  const server = await startServer({ log: silentLog, channelRules: 'dallinger', allowAnonymous: true, pagesDir: STOCK_PAGES })
  try {
    const pages: Page[] = []
    for (const id of ['1', '2']) {
      const context = await browser.newContext({ baseURL: server.url })
      const page = await context.newPage()
      await page.goto(`/chatroom.html?participant_id=${id}`)
      await expect(page.getByTestId('status')).toHaveText('open')
      pages.push(page)
    }
    const [one, two] = pages as [Page, Page]
    // What each page writes: `chatroom:` and the JSON text, exactly as the stock page builds it.
    const frameOf = (content: string, sender: string) => `chatroom:${JSON.stringify({ type: 'chat', content, sender })}`
    await say(one, 'hello from one')
    // Both pages, the sender included, get the frame exactly as it was sent.
    for (const page of pages) await expect.poll(() => frames(page)).toEqual([frameOf('hello from one', '1')])
    await say(two, 'hi from two: é "quoted"')
    for (const page of pages) await expect.poll(() => frames(page)).toEqual([frameOf('hello from one', '1'), frameOf('hi from two: é "quoted"', '2')])
    await expect(two.getByTestId('lines')).toHaveText(['1: hello from one', '2: hi from two: é "quoted"'].join(''))
    for (const page of pages) await page.context().close()
  } finally {
    await server.close()
  }
})
