/**
 * `json.dumps(value)` as Python writes it with default arguments: `", "` and `": "` separators, keys in
 * insertion order, non-ASCII escaped as lowercase `\uXXXX` (surrogate pairs for astral characters).
 * Dallinger publishes control messages this way, and pages that compare them as text see the same bytes.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'string':
      return pythonString(value)
    case 'number':
      if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
      return String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
      return `{${Object.entries(value)
        .map(([key, item]) => `${pythonString(key)}: ${pythonJsonDumps(item)}`)
        .join(', ')}}`
    default:
      throw new TypeError(`Object of type ${typeof value} is not JSON serializable`)
  }
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

// Anything but printable ASCII, the quote and the backslash: what needs escaping.
const ESCAPED = /[^\x20\x21\x23-\x5b\x5d-\x7e]/

function pythonString(text: string): string {
  // Most strings (ids, channel names, event names) need nothing escaped: no copy a character at a time.
  if (!ESCAPED.test(text)) return `"${text}"`
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i)
    const code = text.charCodeAt(i)
    const short = SHORT_ESCAPES[char]
    if (short) out += short
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += char
  }
  return `${out}"`
}
