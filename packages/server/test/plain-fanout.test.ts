// A channel's plain sockets share one broker subscription; the /chat URL is read as URL would read it.
import { describe, expect, it } from 'vitest'
import { MemoryBroker } from '../src/index.js'
import type { Broker } from '../src/index.js'
import { isChat, queryOf } from '../src/relay/chat-url.js'
import { PlainFanout } from '../src/relay/plain-fanout.js'

/** A memory broker that counts subscriptions, and can hold them back until told. */
function countingBroker() {
  const broker = new MemoryBroker()
  const counts = { subscribed: 0, unsubscribed: 0 }
  let hold: Promise<void> | undefined
  let release = () => {}
  const subscribe: Broker['subscribe'] = async (channel, listener, onGap) => {
    counts.subscribed += 1
    const stop = await (broker as Broker).subscribe(channel, listener, onGap)
    if (hold) await hold
    return () => {
      counts.unsubscribed += 1
      stop()
    }
  }
  const held = () => {
    hold = new Promise((resolve) => (release = () => resolve()))
    return () => release()
  }
  return { broker: Object.assign(Object.create(broker) as MemoryBroker, { subscribe }), publisher: broker, counts, held }
}

describe('plain fan-out', () => {
  it('frames each message once, as channel:payload, for every socket of the channel behind one subscription', async () => {
    const { broker, publisher, counts } = countingBroker()
    const frames: Array<[string, Buffer]> = []
    const fanout = new PlainFanout<string>(broker, (member, frame) => frames.push([member, frame]), () => {})
    await Promise.all(['a', 'b', 'c'].map((member) => fanout.join('room', member)))
    await fanout.join('other', 'd')
    expect(counts.subscribed).toBe(2)
    await publisher.publish('room', '{"x":"é"}')
    expect(frames.map(([member, frame]) => `${member} ${frame.toString('utf8')}`)).toEqual(['a room:{"x":"é"}', 'b room:{"x":"é"}', 'c room:{"x":"é"}'])
    // One buffer for all of them.
    expect(new Set(frames.map(([, frame]) => frame)).size).toBe(1)
    fanout.leave('room', 'a')
    fanout.leave('room', 'b')
    expect(counts.unsubscribed).toBe(0)
    fanout.leave('room', 'c')
    expect(counts.unsubscribed).toBe(1)
    frames.length = 0
    await publisher.publish('room', 'gone')
    expect(frames).toEqual([])
  })

  it('lets a socket join a subscription on its way, and undoes one whose sockets all left before it was made', async () => {
    const { broker, publisher, counts, held } = countingBroker()
    const got: string[] = []
    const fanout = new PlainFanout<string>(broker, (member, frame) => got.push(`${member} ${frame.toString()}`), () => {})
    const release = held()
    const first = fanout.join('room', 'a')
    const second = fanout.join('room', 'b')
    release()
    await Promise.all([first, second])
    expect(counts.subscribed).toBe(1)
    await publisher.publish('room', '1')
    expect(got).toEqual(['a room:1', 'b room:1'])
    fanout.leave('room', 'a')
    fanout.leave('room', 'b')
    // Left before the broker answered: the subscription is undone once it is made, and the next socket makes a new one.
    const again = held()
    const early = fanout.join('room', 'c')
    fanout.leave('room', 'c')
    const late = fanout.join('room', 'd')
    again()
    await Promise.all([early, late])
    expect(counts).toEqual({ subscribed: 3, unsubscribed: 2 })
    got.length = 0
    await publisher.publish('room', '2')
    expect(got).toEqual(['d room:2'])
  })

  it('looks at the backlogs once so many bytes more went to every socket, at the same frame for all of them', async () => {
    const { broker, publisher } = countingBroker()
    const checks: string[] = []
    const fanout = new PlainFanout<string>(broker, (member, frame, check) => check && checks.push(`${member} ${frame.toString()}`), () => {}, 20)
    await Promise.all(['a', 'b'].map((member) => fanout.join('room', member)))
    // Each frame is 10 bytes ("room:" and 5): past 20 on the third, then the sixth.
    for (let n = 1; n <= 6; n++) await publisher.publish('room', `n=${n}..`)
    expect(checks).toEqual(['a room:n=3..', 'b room:n=3..', 'a room:n=6..', 'b room:n=6..'])
  })

  it('counts a gap once for every plain socket of the channel', async () => {
    const gaps: number[] = []
    let gap = () => {}
    const broker = { subscribe: async (_channel: string, _listener: unknown, onGap?: () => void) => ((gap = onGap ?? gap), () => {}) } as unknown as Broker
    const fanout = new PlainFanout<string>(broker, () => {}, (sockets) => gaps.push(sockets))
    await Promise.all(['a', 'b', 'c'].map((member) => fanout.join('room', member)))
    gap()
    expect(gaps).toEqual([3])
  })
})

describe('the /chat URL', () => {
  it('is read as new URL reads it, without building one for a plain /chat?…', () => {
    const urls = ['/chat', '/chat?channel=a&participant_id=1&token=x.y', '/chat?a=%20b+c&x=%zz&&=&q', '/chat?é=ü&a=<b>"c"', '/chat#x?y', '/chat?x=1#frag?z=2', '/chat?a=1?b=2', '/chatroom?x', '/x/../chat?c=1', '/chat/?c', '//chat?c', '/chat?#', '/']
    for (const url of urls) {
      const parsed = new URL(url, 'http://switchboard')
      expect([url, isChat(url), queryOf(url).toString()]).toEqual([url, parsed.pathname === '/chat', parsed.searchParams.toString()])
    }
  })
})
