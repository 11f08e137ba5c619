// Bots against a server that speaks Dallinger's plain protocol only (the dallinger preset, stock pages).
import { describe, expect, it } from 'vitest'
import { silentLog, startServer } from '@switchboard/server'
import { runBots } from '../src/index.js'
import type { Bot } from '../src/index.js'

describe('bots in plain mode', () => {
  it('chat on a channel of a stock-style server and say what plain mode cannot tell', async () => {
    const server = await startServer({ log: silentLog, channelRules: 'dallinger', allowAnonymous: true })
    try {
      const script = async (bot: Bot) => {
        const chatroom = bot.channel('chatroom')
        await chatroom.ready()
        while (!bot.stopped) {
          bot.send(chatroom, { type: 'chat', text: `hello from ${bot.index}` })
          await bot.think(100, 300)
        }
      }
      const report = await runBots({ url: server.url, count: 4, script, durationMs: 2000, resume: false })
      expect(report).toMatchObject({ mode: 'plain', bots: 4, lost: 0, duplicated: 0, scriptErrors: [] })
      expect(report.sent).toBeGreaterThan(8)
      expect(report.delivered).toBe(report.expected)
      expect(report.notes.join(' ')).toContain('plain mode')
    } finally {
      await server.close()
    }
  })
})

describe('a run', () => {
  it('ends when every script has finished, before its time is up', async () => {
    const server = await startServer({ log: silentLog, channelRules: 'dallinger', allowAnonymous: true })
    try {
      const started = Date.now()
      const report = await runBots({
        url: server.url,
        count: 2,
        durationMs: 60_000,
        drainMs: 1000,
        script: async (bot) => {
          const chatroom = bot.channel('chatroom')
          await chatroom.ready()
          bot.send(chatroom, { text: 'one and done' })
        },
      })
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(report).toMatchObject({ sent: 2, lost: 0 })
    } finally {
      await server.close()
    }
  })
})
