import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures.js'

const EXAMPLE = fileURLToPath(new URL('../examples/coordination/', import.meta.url))
const COMMAND = fileURLToPath(new URL('../packages/server/bin/switchboard-server.js', import.meta.url))

interface GameState {
  participant: string
  partner: string | null
  phase: string
  round: number
  picked: string | null
  reveals: Array<{ round: number; yours: string; theirs: string; match: boolean }>
  matches: number | null
  log: string[]
}

const stateOf = async (page: Page) => JSON.parse((await page.getByTestId('state').textContent()) ?? '{}') as GameState

test('the tutorial’s coordination game: two pages (script tag and ES module) play three rounds, and no page sees a pick before sending its own', async ({ browser }) => {
  // The example exactly as the tutorial runs it: switchboard-server with the experiment and the pages,
  // on a port it picks itself (one chosen here could be taken by another test before the server binds it).
  const server = spawn(process.execPath, [COMMAND, '--experiment', './experiment.ts', '--pages', './public', '--port', '0'], {
    cwd: EXAMPLE,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  try {
    await expect.poll(() => out, { timeout: 20_000 }).toContain('is running')
    const port = Number(/localhost:(\d+)/.exec(out)?.[1])
    const pages: Page[] = []
    for (const path of ['/', '/module.html']) {
      const page = await (await browser.newContext({ baseURL: `http://localhost:${port}` })).newPage()
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
      await page.goto(path)
      pages.push(page)
    }
    const [one, two] = pages as [Page, Page]
    for (const page of pages) await expect.poll(async () => (await stateOf(page)).phase).toBe('picking')
    expect((await stateOf(one)).partner).toBe((await stateOf(two)).participant)

    const picks: Array<[string, string]> = [['red', 'red'], ['green', 'blue'], ['blue', 'blue']]
    for (const [round, [first, second]] of picks.entries()) {
      const number = round + 1
      await expect.poll(async () => (await stateOf(one)).round).toBe(number)
      await one.getByRole('button', { name: first }).click()
      await expect.poll(async () => (await stateOf(one)).picked).toBe(first)
      // The partner has not picked yet: its page is told nothing of the first pick, and neither page sees a reveal.
      const before = await stateOf(two)
      expect(before.reveals.filter((r) => r.round === number)).toEqual([])
      expect((await stateOf(one)).reveals.filter((r) => r.round === number)).toEqual([])
      await expect.poll(async () => (await stateOf(two)).round).toBe(number)
      await two.getByRole('button', { name: second }).click()
      for (const [page, yours, theirs] of [[one, first, second], [two, second, first]] as const) {
        await expect.poll(async () => (await stateOf(page)).reveals.at(-1)).toEqual({ type: 'reveal', round: number, yours, theirs, match: yours === theirs })
      }
    }
    for (const page of pages) {
      await expect.poll(async () => (await stateOf(page)).phase).toBe('finished')
      const { matches, log } = await stateOf(page)
      expect(matches).toBe(2)
      // On each page, every reveal came after the page had sent its own pick for that round.
      for (const number of [1, 2, 3]) {
        const sent = log.findIndex((line) => line.startsWith(`sent ${number} `))
        const revealed = log.findIndex((line) => line.startsWith(`reveal ${number} `))
        expect(sent, `round ${number} in ${JSON.stringify(log)}`).toBeGreaterThanOrEqual(0)
        expect(revealed).toBeGreaterThan(sent)
      }
      await expect(page.locator('#status')).toHaveText('game over: 2 of 3 rounds matched')
      await page.context().close()
    }
  } finally {
    // A server that failed to start has exited already: nothing to wait for.
    if (server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit')
      server.kill('SIGTERM')
      await exited
    }
  }
})
