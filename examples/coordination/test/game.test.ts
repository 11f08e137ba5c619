// The game played by two bots against a real server with the experiment, in this process.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { silentLog, startServer } from '@switchboard/server'
import { playBot } from '../bot.js'
import CoordinationGame from '../experiment.js'

test('two bots play three rounds; each sees a partner’s pick only after sending its own', async () => {
  const server = await startServer({ experiment: new CoordinationGame(), log: silentLog })
  try {
    const [first, second] = await Promise.all([playBot(server.url, { choose: () => 'red' }), playBot(server.url, { choose: (round) => (round === 2 ? 'blue' : 'red') })])
    for (const log of [first, second]) {
      assert.equal(log.at(-1), 'finished 2/3')
      for (const round of [1, 2, 3]) {
        const sent = log.findIndex((line) => line.startsWith(`sent ${round} `))
        const revealed = log.findIndex((line) => line.startsWith(`reveal ${round} `))
        assert.ok(sent >= 0 && revealed > sent, `round ${round}: sent at ${sent}, revealed at ${revealed} in ${JSON.stringify(log)}`)
      }
    }
    assert.ok(first.includes('reveal 2 red/blue') && second.includes('reveal 2 blue/red'))
  } finally {
    await server.close()
  }
})
