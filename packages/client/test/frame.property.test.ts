import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../src/frame.js'
import type { Payload } from '../src/frame.js'

// Fixed seed: a failure is reproducible; the runs are many enough to cover unicode, nesting and edge keys.
const settings = { seed: 20261121, numRuns: 2000 }

// Names an outgoing frame may carry (letters, digits, _ - .); incoming frames may name anything.
const channelName = fc.stringMatching(/^[\w.-]{1,40}$/)
// JSON objects as JSON.parse returns them (no -0, no undefined), so equality is exact.
const jsonObject = fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue({ noUnicodeString: false }).map((v) => JSON.parse(JSON.stringify(v)) as unknown), { maxKeys: 8 }) as fc.Arbitrary<Payload>

describe('frame codec properties', () => {
  it('decode(encode(channel, payload)) gives back the channel and payload', () => {
    fc.assert(
      fc.property(channelName, jsonObject, (channel, payload) => {
        expect(decodeFrame(encodeFrame(channel, payload))).toEqual({ ok: true, channel, payload })
      }),
      settings,
    )
  })

  it('encode refuses every name with a character outside letters, digits, _ - .', () => {
    const badName = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/^[\w.-]$/.test(c)), fc.string({ unit: 'grapheme', maxLength: 10 }))
    fc.assert(
      fc.property(badName, ([before, bad, after]) => {
        expect(() => encodeFrame(before + bad + after, {})).toThrow(/Bad channel name/)
      }),
      settings,
    )
  })

  it('decode never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string().map((s) => `c:${s}`), fc.json().map((j) => `c:${j}`)), (raw) => {
        const result = decodeFrame(raw)
        expect(typeof result.ok).toBe('boolean')
      }),
      settings,
    )
  })
})
