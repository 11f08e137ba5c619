import { describe, expect, it } from 'vitest'
import { pythonJsonDumps } from '../src/index.js'

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
})
