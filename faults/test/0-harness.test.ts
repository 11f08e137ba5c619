// The harness checks itself first: the tally's arithmetic, the balancer's failover and the
// partition's two faults, on plain TCP echo servers (no Switchboard involved).
import { createConnection, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startBalancer } from '../harness/balancer.js'
import { startPartition } from '../harness/partition.js'
import { accepts } from '../harness/ports.js'
import type { ChannelRecord, StreamResult } from '../harness/records.js'
import { tally } from '../harness/tally.js'
import { waitFor } from '../harness/wait.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A TCP server that answers every chunk with `<name>:<chunk>`. */
async function echo(name: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('data', (chunk) => socket.write(`${name}:${chunk.toString()}`))
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  cleanups.push(stop)
  return { port: (server.address() as { port: number }).port, stop }
}

/** A client connection that keeps what it received, and whether it closed. */
async function connect(port: number): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
  const socket = createConnection(port, '127.0.0.1')
  let received = ''
  let closed = false
  socket.on('data', (chunk) => (received += chunk.toString()))
  socket.on('error', () => undefined)
  socket.on('close', () => (closed = true))
  await new Promise((resolve) => socket.once('connect', resolve))
  cleanups.push(() => socket.destroy())
  return { socket, received: () => received, closed: () => closed }
}

const until = (what: string, probe: () => boolean) => waitFor(what, probe, { timeoutMs: 3000 })

describe('tally', () => {
  const channel = (deliveries: Array<[number, string]>, gaps: ChannelRecord['gaps'] = []): ChannelRecord => ({
    owner: 'r',
    channel: 'broadcast_channel',
    kind: 'broadcast',
    expectedFrom: ['s'],
    deliveries: deliveries.map(([n, id]) => ({ run: 'r1', from: 's', n, id, sentAt: 0, receivedAt: 5 })),
    foreign: [],
    gaps,
    errors: [],
    states: ['open(opened)'],
    closed: undefined,
  })
  const result = (record: ChannelRecord, failed: number[] = []): StreamResult => ({
    mode: 'resume',
    sentBy: new Map([['s', 5]]),
    channels: [record],
    sends: [1, 2, 3, 4, 5].map((n) => ({ from: 's', target: 'broadcast_channel', n, settled: failed.includes(n) ? 'failed' : 'acknowledged', error: undefined })),
  })

  it('counts a hole as lost unless a reported gap spans it, or its send failed', () => {
    const holed: Array<[number, string]> = [[1, '10-0'], [2, '11-0'], [5, '14-0']]
    expect(tally(result(channel(holed)))).toMatchObject({ expected: 5, received: 3, lostWithoutGap: 2, inGap: 0 })
    expect(tally(result(channel(holed, [{ since: '11-0', last: '13-0', afterDeliveries: 2 }])))).toMatchObject({ lostWithoutGap: 0, inGap: 2 })
    // A gap elsewhere in the channel covers nothing here.
    expect(tally(result(channel(holed, [{ since: '14-0', last: '15-0', afterDeliveries: 3 }])))).toMatchObject({ lostWithoutGap: 2, inGap: 0 })
    expect(tally(result(channel(holed), [3, 4]))).toMatchObject({ lostWithoutGap: 0, failedAtSender: 2, receipts: { acknowledged: 3, failed: 2 } })
    // A missing tail is covered by a gap after the last arrival.
    expect(tally(result(channel([[1, '10-0'], [2, '11-0'], [3, '12-0']], [{ since: '12-0', last: '20-0', afterDeliveries: 3 }])))).toMatchObject({ lostWithoutGap: 0, inGap: 2 })
  })

  it('counts duplicates and out-of-order arrivals', () => {
    const t = tally(result(channel([[1, '1-0'], [3, '3-0'], [2, '2-0'], [3, '3-0'], [4, '4-0'], [5, '5-0']])))
    expect(t).toMatchObject({ lostWithoutGap: 0, duplicated: 1, outOfOrder: 1, received: 6 })
  })
})

describe('balancer', () => {
  it('sends each new connection to the next backend, and past one that refuses', async () => {
    const [a, b] = [await echo('a'), await echo('b')]
    const balancer = await startBalancer([a.port, b.port])
    cleanups.push(() => balancer.close())
    const first = await connect(balancer.port)
    const second = await connect(balancer.port)
    first.socket.write('x')
    second.socket.write('y')
    await until('both echoes', () => first.received() === 'a:x' && second.received() === 'b:y')
    // a dies: its connection ends, and it refuses new ones.
    await a.stop()
    await until('the connection through a to end', () => first.closed())
    for (let i = 0; i < 3; i++) {
      const next = await connect(balancer.port)
      next.socket.write('z')
      await until(`connection ${i} to reach b`, () => next.received() === 'b:z')
    }
  })
})

describe('partition', () => {
  it('cut resets what is open and refuses new connections until it heals', async () => {
    const redis = await echo('r')
    const partition = await startPartition(redis.port)
    cleanups.push(() => partition.close())
    const before = await connect(partition.port)
    const healed = partition.cut(500)
    await until('the open connection to be reset', () => before.closed())
    expect(partition.state).toBe('cut')
    expect(await accepts(partition.port)).toBe(false)
    await healed
    const after = await connect(partition.port)
    after.socket.write('q')
    await until('the echo after the cut', () => after.received() === 'r:q')
  })

  it('blackhole holds bytes both ways, closes nothing, then delivers them in order', async () => {
    const redis = await echo('r')
    const partition = await startPartition(redis.port)
    cleanups.push(() => partition.close())
    const client = await connect(partition.port)
    const healed = partition.blackhole(500)
    client.socket.write('1')
    await until('the bytes to be held', () => partition.stats.heldBytes > 0)
    expect(partition.state).toBe('blackholed')
    expect(client.received()).toBe('')
    await healed
    client.socket.write('2')
    // The echo may answer the two as one chunk: what counts is both, in order.
    await until('both echoes, in order', () => client.received().replaceAll('r:', '') === '12')
    expect(client.closed()).toBe(false)
  })
})
