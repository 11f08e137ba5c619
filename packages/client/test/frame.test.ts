import { describe, expect, it } from 'vitest'
import { UsageError } from '../src/errors.js'
import { assertChannelName, decodeFrame, encodeFrame, parseBody, serializePayload, splitFrame } from '../src/frame.js'

describe('splitFrame', () => {
  it('splits at the first colon only', () => {
    expect(splitFrame('room:{"a":1}')).toEqual({ channel: 'room', body: '{"a":1}' })
    expect(splitFrame('room:a:b:c')).toEqual({ channel: 'room', body: 'a:b:c' })
    expect(splitFrame('room:{"t":"12:30","u":"x:y"}')).toEqual({ channel: 'room', body: '{"t":"12:30","u":"x:y"}' })
  })

  it('keeps unicode intact', () => {
    expect(splitFrame('räum_🎲:{"text":"héllo 👋 :)"}')).toEqual({ channel: 'räum_🎲', body: '{"text":"héllo 👋 :)"}' })
  })

  it('handles empty parts and frames without a colon', () => {
    expect(splitFrame('')).toBeUndefined()
    expect(splitFrame('ping')).toBeUndefined()
    expect(splitFrame(':')).toEqual({ channel: '', body: '' })
    expect(splitFrame('room:')).toEqual({ channel: 'room', body: '' })
  })
})

describe('parseBody', () => {
  it('parses a JSON object', () => {
    expect(parseBody('{"type":"chat","text":"a:b"}')).toEqual({ ok: true, payload: { type: 'chat', text: 'a:b' } })
  })

  it('reports invalid JSON without throwing', () => {
    for (const body of ['', '{', "{'a':1}", 'undefined', '{"a":1}}']) {
      const result = parseBody(body)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.code).toBe('INVALID_JSON')
    }
  })

  it('refuses JSON that is not an object', () => {
    for (const body of ['null', '[1,2]', '"text"', '42', 'true']) {
      expect(parseBody(body)).toMatchObject({ ok: false, code: 'NOT_AN_OBJECT' })
    }
  })
})

describe('encoding', () => {
  it('writes channel:json', () => {
    expect(encodeFrame('room_1', { type: 'chat', text: 'x:y' })).toBe('room_1:{"type":"chat","text":"x:y"}')
    expect(() => encodeFrame('a:b', {})).toThrow(UsageError)
    expect(() => encodeFrame('a b', {})).toThrow(UsageError)
  })

  it('round-trips through decodeFrame', () => {
    const payload = { type: 'chat', text: 'ünïcødé 🙂 a:b', n: 1.5, nested: { list: [1, null, 'x'] } }
    expect(decodeFrame(encodeFrame('c', payload))).toEqual({ ok: true, channel: 'c', payload })
  })

  it('decodes what it cannot parse into a result, not an exception', () => {
    expect(decodeFrame('ping')).toMatchObject({ ok: false, channel: undefined, code: 'NO_CHANNEL' })
    expect(decodeFrame('c:{')).toMatchObject({ ok: false, channel: 'c', code: 'INVALID_JSON' })
    expect(decodeFrame('c:1')).toMatchObject({ ok: false, channel: 'c', code: 'NOT_AN_OBJECT' })
  })

  it('refuses payloads that are not JSON objects', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const bad of [null, [1], 'text', 3, cyclic, { big: 10n }]) {
      expect(() => serializePayload(bad)).toThrow(UsageError)
    }
  })

  it('takes channel names of letters, digits, _ - . only, and says so', () => {
    for (const good of ['participant_7_channel', 'broadcast_channel', 'dallinger_control', 'chatroom', 'room-1.a', 'A', '_', '0']) {
      expect(() => assertChannelName(good)).not.toThrow()
    }
    // ':' would cut the name where Dallinger splits the frame; the rest no Switchboard channel can be.
    for (const bad of ['a:b', ':', 'bad name!', ' room', 'room ', 'a\tb', 'line\n', '', 'räum', 'room/1', 'a?b', 'a&b', 'a#b', '%20']) {
      expect(() => assertChannelName(bad), JSON.stringify(bad)).toThrow(UsageError)
    }
    for (const notAString of [undefined, null, 7, {}]) expect(() => assertChannelName(notAString)).toThrow(UsageError)
    expect(() => assertChannelName('bad name!')).toThrow('Bad channel name "bad name!": use letters, digits, _ - . only')
  })
})
