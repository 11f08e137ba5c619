// What every Switchboard relay does, the real one (packages/server/test/conformance.test.ts) and the
// fake one of @switchboard/client/testing (test/fake-server.test.ts) alike, so the two cannot drift.
import { expect, it } from 'vitest'

/** A raw socket on the relay under test: what it sent us, and what we send it. */
export interface ConformancePeer {
  frames: string[]
  send(frame: string): void
  close(): void
}

/** Opens a socket with `query` (`channel`, `participant_id`, `sb_*`) once it is open. */
export type Connect = (query: Record<string, string>) => Promise<ConformancePeer>

const arrived = (peer: ConformancePeer, count: number) => expect.poll(() => peer.frames.length, { timeout: 5000 }).toBeGreaterThanOrEqual(count)
const json = (frame: string | undefined) => JSON.parse((frame ?? '').slice(1)) as Record<string, unknown>

/** Registers the shared cases; `connect` is called inside each test. */
export function relayConformance(connect: () => Connect): void {
  it('relays a frame verbatim to every subscriber of its channel, the sender included, and to no other channel', async () => {
    const open = connect()
    const [a, b, other] = [await open({ channel: 'room', participant_id: '1' }), await open({ channel: 'room', participant_id: '2' }), await open({ channel: 'hall', participant_id: '3' })]
    const frame = 'room:{"type":"chat","text":"héllo 👋","n":1}'
    a.send(frame)
    await arrived(b, 1)
    await arrived(a, 1)
    expect([a.frames, b.frames]).toEqual([[frame], [frame]])
    // A frame on the other channel proves the first had its chance to leak there.
    other.send('hall:{"n":2}')
    await arrived(other, 1)
    expect(other.frames).toEqual(['hall:{"n":2}'])
  })

  it('splits a frame at its first colon only: the payload keeps its own', async () => {
    const open = connect()
    const a = await open({ channel: 'room', participant_id: '1' })
    a.send('room:{"url":"http://x:1/y","t":"a:b"}')
    await arrived(a, 1)
    expect(a.frames).toEqual(['room:{"url":"http://x:1/y","t":"a:b"}'])
  })

  it('resume: hello first; each message with its id; each frame acknowledged; a re-sent one acknowledged but not relayed again', async () => {
    const open = connect()
    const watcher = await open({ channel: 'room', participant_id: '2' })
    const sender = await open({ channel: 'room', participant_id: '1', sb: '1', sb_session: 'conformance-1', sb_seq: '1' })
    await arrived(sender, 1)
    expect(json(sender.frames[0])).toMatchObject({ type: 'hello', v: 1, last: expect.stringMatching(/^\d+-\d+$/) })
    sender.send('room:{"n":1}')
    await expect.poll(() => sender.frames.filter((f) => f.startsWith(':{"type":"ack"'))).toEqual([':{"type":"ack","seq":1}'])
    expect(sender.frames.find((f) => f.endsWith('room:{"n":1}'))).toMatch(/^\d+-\d+ room:\{"n":1\}$/)
    sender.close()
    // The same session again, its first frame numbered 1 again: a re-send of what was acknowledged.
    const again = await open({ channel: 'room', participant_id: '1', sb: '1', sb_session: 'conformance-1', sb_seq: '1' })
    await arrived(again, 1)
    again.send('room:{"n":1}')
    again.send('room:{"n":2}')
    await expect.poll(() => again.frames.filter((f) => f.startsWith(':{"type":"ack"'))).toEqual([':{"type":"ack","seq":1}', ':{"type":"ack","seq":2}'])
    await expect.poll(() => watcher.frames).toEqual(['room:{"n":1}', 'room:{"n":2}'])
  })

  it('resume: a socket that comes back with sb_since gets what it missed, once, in order; and a pong for a ping', async () => {
    const open = connect()
    const talker = await open({ channel: 'room', participant_id: '1' })
    const reader = await open({ channel: 'room', participant_id: '2', sb: '1', sb_session: 'conformance-2' })
    talker.send('room:{"n":1}')
    await arrived(reader, 2)
    const since = /^(\d+-\d+) /.exec(reader.frames[1] ?? '')?.[1] ?? ''
    reader.close()
    for (const n of [2, 3]) talker.send(`room:{"n":${n}}`)
    await arrived(talker, 3)
    const back = await open({ channel: 'room', participant_id: '2', sb: '1', sb_session: 'conformance-2', sb_since: since })
    await arrived(back, 3)
    expect(json(back.frames[0])).toMatchObject({ type: 'hello', last: since })
    expect(back.frames.slice(1).map((f) => f.replace(/^\d+-\d+ /, ''))).toEqual(['room:{"n":2}', 'room:{"n":3}'])
    back.send(':{"type":"ping","id":7}')
    await expect.poll(() => back.frames.map((f) => (f.startsWith(':{"type":"pong"') ? json(f) : undefined)).find(Boolean)).toMatchObject({ type: 'pong', id: 7, now: expect.any(Number) })
  })
}
