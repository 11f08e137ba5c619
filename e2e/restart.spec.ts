import { startDemoServer } from '@switchboard/demo'
import { silentLog } from '@switchboard/server'
import { PRESENCE_GRACE_MS, expect, test } from './fixtures.js'

test('after a restart that lost the state (memory mode), tabs never opened before start over as new participants with new ids, and are paired again', async ({ participants, server }) => {
  const tabs = await participants(2, 'module', 'minDelayMs=100&maxDelayMs=500')
  const before = tabs.map((tab) => tab.id)
  for (const tab of tabs) await tab.roomName()
  // The process dies with its state, and a new one starts on the same port.
  await server.close()
  const again = await startDemoServer({ log: silentLog, port: server.port, presence: { graceMs: PRESENCE_GRACE_MS } })
  try {
    const after: string[] = []
    for (const tab of tabs) {
      // Refused with 4410 (its participant is gone), the page forgets it and reloads as a new one.
      await expect.poll(async () => (await tab.page.getByTestId('participant').textContent()) ?? '', { timeout: 15_000 }).not.toBe(tab.id)
      await expect.poll(async () => (await tab.page.getByTestId('participant').textContent()) ?? '').toMatch(/^\d+$/)
      after.push((await tab.page.getByTestId('participant').textContent()) ?? '')
    }
    for (const id of after) expect(Number(id)).toBeGreaterThan(Math.max(...before.map(Number)))
    for (const tab of tabs) await expect(tab.roomStatus).toHaveText(/^you are in room_\d+ with participant \d+/, { timeout: 15_000 })
  } finally {
    await again.close()
  }
})
