import { broadcastTexts, expect, test } from './fixtures.js'
import { startTcpProxy } from './tcp-proxy.js'
import type { TcpProxy } from './tcp-proxy.js'

// Short heartbeats and backoff so a black hole is noticed in seconds; the defaults notice it within 30 s.
const FAST = 'heartbeatIntervalMs=1000&heartbeatTimeoutMs=3000&minDelayMs=200&maxDelayMs=1000'

let proxy: TcpProxy | undefined
test.afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

test('a black-holed path is noticed by the heartbeat and recovered: nothing lost, nothing doubled, both ways', async ({ server, newUser }) => {
  proxy = await startTcpProxy(server.port)
  const away = await (await newUser(proxy.url)).openTab('module', FAST)
  const here = await (await newUser()).openTab('module', FAST)
  await away.sendBroadcast('before')
  await here.expectState(broadcastTexts, ['before'])

  // The path goes silent: no frame, no close, in either direction. The others' messages are published
  // first (here hears its own only once the server has them), so that what away sends into the silence
  // comes after them however slow this machine is; before, away could notice the silence and be back
  // before here's sends were out, when they took longer than its heartbeat timeout.
  proxy.blackHole()
  for (const n of [1, 2, 3]) await here.sendBroadcast(`missed ${n}`)
  await here.expectState(broadcastTexts, ['before', 'missed 1', 'missed 2', 'missed 3'])
  await away.sendBroadcast('into the silence')

  // The away tab notices (no frame for heartbeatTimeoutMs), reconnects through a fresh connection and
  // resumes: what it missed is replayed, and what it sent into the silence is sent again and published
  // once, after the others (the server never had it before).
  await expect.poll(async () => (await away.state()).reconnects.broadcast_channel ?? 0, { timeout: 15_000 }).toBeGreaterThan(0)
  const everything = ['before', 'missed 1', 'missed 2', 'missed 3', 'into the silence']
  await away.expectState(broadcastTexts, everything)
  await here.expectState(broadcastTexts, everything)
  expect((await away.state()).connection.broadcast_channel).toBe('open')
})

test('a reload with three unacknowledged sends delivers each exactly once after the reload', async ({ server, newUser }) => {
  proxy = await startTcpProxy(server.port)
  const reloading = await (await newUser(proxy.url)).openTab('module', FAST)
  const other = await (await newUser()).openTab('module', FAST)
  await reloading.sendBroadcast('hello')
  await other.expectState(broadcastTexts, ['hello'])

  proxy.blackHole()
  for (const n of [1, 2, 3]) await reloading.sendBroadcast(`stalled ${n}`)
  // "It hangs": the participant reloads the tab. The page comes back through a new connection.
  await reloading.page.reload()
  await expect(reloading.page.getByTestId('participant')).toHaveText(reloading.id)
  await other.expectState(broadcastTexts, ['hello', 'stalled 1', 'stalled 2', 'stalled 3'])
  await reloading.expectState((s) => broadcastTexts(s).filter((t) => t.startsWith('stalled')), ['stalled 1', 'stalled 2', 'stalled 3'])
  // Nothing arrives twice, even once everything has settled.
  await reloading.sendBroadcast('after')
  await other.expectState(broadcastTexts, ['hello', 'stalled 1', 'stalled 2', 'stalled 3', 'after'])
})
