import { test as base, expect } from '@playwright/test'
import type { BrowserContext, Locator, Page } from '@playwright/test'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { startDemoServer } from '@switchboard/demo'
import { silentLog } from '@switchboard/server'
import type { DemoServer } from '@switchboard/demo'
import { startRedis } from '../packages/server/test/redis-server.js'
import type { RedisServer } from '../packages/server/test/redis-server.js'
import type { PageState } from '../packages/demo/pages/ui.js'

export { expect }
export type { PageState }

/** Which demo page a participant uses. */
export type PageKind = 'module' | 'script-tag'

const PATHS: Record<PageKind, string> = { module: '/', 'script-tag': '/script-tag.html' }
/** Both kinds of demo page, for tests that run on each. */
export const PAGE_KINDS: readonly PageKind[] = ['module', 'script-tag']

/** What a tab did besides its page's state: recorded from before it loads, across reloads. */
export interface TabRecord {
  /** Console errors and failed requests, e.g. a missing favicon's 404. */
  problems: string[]
  /** The paths it POSTed to, in order: `/participant`, `/node/<id>`. */
  posts: string[]
}

function recordTab(page: Page): TabRecord {
  const record: TabRecord = { problems: [], posts: [] }
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') record.problems.push(`console: ${message.text()}`)
  })
  page.on('requestfailed', (request) => record.problems.push(`failed: ${request.url()}`))
  page.on('request', (request) => {
    if (request.method() === 'POST') record.posts.push(new URL(request.url()).pathname)
  })
  return record
}

/** Waits until the page shows its participant with its broadcast and private channels open; returns its id. */
async function whenOpen(page: Page): Promise<string> {
  await expect(page.getByTestId('participant')).not.toHaveText('…')
  const id = (await page.getByTestId('participant').textContent()) ?? ''
  await new Participant(page, id).expectState((s) => [s.connection.broadcast_channel, s.connection[`participant_${id}_channel`]], ['open', 'open'])
  return id
}

/** One tab: one participant of the demo experiment, driven through its page. */
export class Participant {
  constructor(
    readonly page: Page,
    readonly id: string,
    readonly record: TabRecord = { problems: [], posts: [] },
  ) {}

  /** Reloads the tab; resolves with the id it shows once its channels are open again. */
  async reload(): Promise<string> {
    await this.page.reload()
    return whenOpen(this.page)
  }

  /** The page's state, as it mirrors it in JSON. */
  async state(): Promise<PageState> {
    return JSON.parse((await this.page.getByTestId('state').textContent()) ?? '{}') as PageState
  }

  /** The room this participant was put in, once it has one (a name never used before, `room_<id>`). */
  async roomName(): Promise<string> {
    await expect.poll(async () => (await this.state()).room ?? null, { message: `participant ${this.id} gets a room`, intervals: [50, 100, 250] }).toMatch(/^room_\d+$/)
    return String((await this.state()).room)
  }

  /** The chatroom card's line: "waiting for a partner", or the room and partner. */
  get roomStatus(): Locator {
    return this.page.getByTestId('room-status')
  }

  /** The room form's text field. */
  get roomField(): Locator {
    return this.page.getByTestId('room-form').locator('input[name="text"]')
  }

  async sendBroadcast(text: string): Promise<void> {
    await this.submit('broadcast-form', { text })
  }

  async sendRoom(text: string): Promise<void> {
    await this.submit('room-form', { text })
  }

  async whisper(recipient: string, text: string): Promise<void> {
    await this.submit('whisper-form', { recipient, text })
  }

  /** Waits, retrying, until `read(state)` equals `expected`. */
  async expectState<T>(read: (state: PageState) => T, expected: T): Promise<void> {
    await expect.poll(async () => read(await this.state()), { message: `participant ${this.id}`, intervals: [50, 100, 250] }).toEqual(expected)
  }

  private async submit(form: string, fields: Record<string, string>): Promise<void> {
    const locator = this.page.getByTestId(form)
    for (const [name, value] of Object.entries(fields)) await locator.locator(`input[name="${name}"]`).fill(value)
    await locator.getByRole('button', { name: 'Send' }).click()
  }
}

/** A person with a browser of their own (a new context); each tab they open is a new participant. */
export interface User {
  context: BrowserContext
  /** Opens the demo page; `query` passes client options such as `minDelayMs=200`. */
  openTab(kind?: PageKind, query?: string): Promise<Participant>
}

/** Demo server processes sharing one redis-server; the first runs the experiment. */
export interface Cluster {
  urls: string[]
}

interface Fixtures {
  /** A demo server of this test's own, on a free port: no test sees another's participants. */
  server: DemoServer
  /** A redis-server and two demo server processes on it (`npm start` with REDIS_URL), all on free ports. */
  cluster: Cluster
  /** A redis-server of this test's own, on a free port. */
  redis: RedisServer
  /** Makes a new user (browser context) on `baseURL` (default: the test's server); all closed after the test. */
  newUser: (baseURL?: string) => Promise<User>
  /** `n` participants, each in a tab of its own user, opened one after the other. */
  participants: (n: number, kind?: PageKind, query?: string) => Promise<Participant[]>
}

/** The demo servers' presence grace period in these tests: a participant away longer has left. */
export const PRESENCE_GRACE_MS = 3000

export const test = base.extend<Fixtures>({
  server: async ({}, use) => {
    // A short grace period (the default is 10 s), so that a closed tab leaves within a test.
    const server = await startDemoServer({ log: silentLog, presence: { graceMs: PRESENCE_GRACE_MS } })
    await use(server)
    await server.close()
  },

  cluster: async ({}, use) => {
    const redis = await startRedis()
    const processes: ChildProcess[] = []
    const urls: string[] = []
    try {
      for (const runExperiment of ['1', '0']) {
        // Each picks its own port: one chosen here could be taken by another test before the process binds it.
        const child = spawn(fileURLToPath(new URL('../packages/demo/node_modules/.bin/tsx', import.meta.url)), ['src/main.ts'], {
          cwd: fileURLToPath(new URL('../packages/demo/', import.meta.url)),
          env: { ...process.env, PORT: '0', REDIS_URL: redis.url, RUN_EXPERIMENT: runExperiment, LOG_LEVEL: 'warn', PRESENCE_GRACE_MS: String(PRESENCE_GRACE_MS) },
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        processes.push(child)
        let out = ''
        child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
        await expect.poll(() => out, { timeout: 20_000, message: 'demo process' }).toContain('is running')
        urls.push(`http://localhost:${/localhost:(\d+)/.exec(out)?.[1]}`)
      }
      await use({ urls })
    } finally {
      for (const child of processes) {
        const exited = once(child, 'exit')
        child.kill('SIGTERM')
        await exited
      }
      await redis.stop()
    }
  },

  redis: async ({}, use) => {
    const redis = await startRedis()
    await use(redis)
    await redis.stop()
  },

  newUser: async ({ browser, server }, use) => {
    const contexts: BrowserContext[] = []
    await use(async (baseURL = server.url) => {
      const context = await browser.newContext({ baseURL })
      contexts.push(context)
      return {
        context,
        openTab: async (kind: PageKind = 'module', query = '') => {
          const page = await context.newPage()
          const record = recordTab(page)
          await page.goto(query ? `${PATHS[kind]}?${query}` : PATHS[kind])
          return new Participant(page, await whenOpen(page), record)
        },
      }
    })
    await Promise.all(contexts.map((context) => context.close()))
  },

  participants: async ({ newUser }, use) => {
    await use(async (n, kind = 'module', query = '') => {
      const list: Participant[] = []
      for (let i = 0; i < n; i++) list.push(await (await newUser()).openTab(kind, query))
      return list
    })
  },
})

/** Texts of broadcast chat lines on a page. */
export const broadcastTexts = (s: PageState): string[] => s.broadcast.map((m) => m.text)
/** Texts of room chat lines on a page. */
export const roomTexts = (s: PageState): string[] => s.roomChat.map((m) => m.text)
/** Whisper texts in a page's private inbox. */
export const whisperTexts = (s: PageState): string[] => s.inbox.flatMap((m) => (m.type === 'whisper' ? [m.text] : []))
