import { describe, expect, it } from 'vitest'
import { pythonJsonDumps } from '../src/index.js'
import { channelEvent, connectedEvent, disconnectedEvent } from '../src/protocol/control.js'

describe('pythonJsonDumps', () => {
  it('uses Python separators and keeps key order', () => {
    expect(pythonJsonDumps({ b: 1, a: [1, 'x', null, true], c: { d: false } })).toBe('{"b": 1, "a": [1, "x", null, true], "c": {"d": false}}')
    expect(pythonJsonDumps({})).toBe('{}')
    expect(pythonJsonDumps([])).toBe('[]')
  })

  it('escapes like ensure_ascii=True', () => {
    // Expected strings are what CPython 3.11 prints for json.dumps of the same values.
    expect(pythonJsonDumps('é')).toBe('"\\u00e9"')
    expect(pythonJsonDumps('🎲')).toBe('"\\ud83c\\udfb2"')
    expect(pythonJsonDumps('a"b\\c\n\t\r\b\f')).toBe('"a\\"b\\\\c\\n\\t\\r\\b\\f"')
    expect(pythonJsonDumps('\u0001\u007f/')).toBe('"\\u0001\\u007f/"')
  })

  it('writes control events as it writes the objects they stand for, whatever the ids hold', () => {
    const CLASS = 'dallinger.experiment_server.sockets.Client'
    for (const [workerId, participantId, channel] of [[null, null, null], ['w"1', 'p\u00e9🎲', 'room_1'], ['x', '7', 'a\\b']] as const) {
      const who = { workerId, participantId }
      const client = { class: CLASS, worker_id: workerId, participant_id: participantId }
      expect(channelEvent('subscribed', channel, who)).toBe(pythonJsonDumps({ type: 'channel', event: 'subscribed', channel, client }))
      expect(connectedEvent(who)).toBe(pythonJsonDumps({ type: 'websocket', event: 'connected', client }))
      expect(disconnectedEvent(1006, 'gone\n', who)).toBe(pythonJsonDumps({ type: 'websocket', event: 'disconnected', reason: 1006, message: 'gone\n', client }))
    }
  })
})
