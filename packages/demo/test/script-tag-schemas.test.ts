import { readFileSync } from 'node:fs'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { demoSchemas } from '../src/messages.js'

/** What pages/public/demo-schemas.js sets as window.DemoSchemas: Standard Schemas, written by hand. */
type HandWritten = Record<string, { '~standard': { version: 1; vendor: string; validate(value: unknown): { value: unknown } | { issues: Array<{ message: string; path?: PropertyKey[] }> } } }>

function loadHandWritten(): HandWritten {
  const window: { DemoSchemas?: HandWritten } = {}
  runInNewContext(readFileSync(new URL('../pages/public/demo-schemas.js', import.meta.url), 'utf8'), { window })
  if (!window.DemoSchemas) throw new Error('demo-schemas.js set no window.DemoSchemas')
  return window.DemoSchemas
}

// Values each field is set to in turn: the types JSON can carry, and the edges of the zod schemas' bounds.
const VALUES: unknown[] = [null, true, 0, 7, 1.5, -1, 2 ** 53, '', 'x', 'x'.repeat(2000), 'x'.repeat(2001), [], ['x'], [''], [1], [1.5], [null], {}]

/** The message's example, and that example with each field missing or set to each of VALUES. */
function samples(type: string, example: Record<string, unknown>): Array<Record<string, unknown>> {
  const fields = Object.keys(z.toJSONSchema(demoSchemas[type as keyof typeof demoSchemas], { io: 'input' }).properties ?? {})
  const out: Array<Record<string, unknown>> = [example, { ...example, unknown_field: 1 }]
  for (const field of fields) {
    const { [field]: _dropped, ...without } = example
    out.push(without, ...VALUES.map((value) => ({ ...example, [field]: value })))
  }
  return out
}

const verdict = (accepted: boolean) => (accepted ? 'accepts' : 'refuses')
/** A sample as JSON, its long strings cut short. */
const show = (sample: unknown) => JSON.stringify(sample, (_key, value: unknown) => (typeof value === 'string' && value.length > 20 ? `${value.slice(0, 3)}… (${value.length} characters)` : value))

describe("the script-tag page's hand-written schemas", () => {
  const handWritten = loadHandWritten()

  it('cover exactly the message types of src/messages.ts', () => {
    expect(Object.keys(handWritten).sort()).toEqual(Object.keys(demoSchemas).sort())
  })

  it('accept and refuse what the zod schemas accept and refuse, with a reason for each refusal', () => {
    const disagreements: string[] = []
    for (const [type, schema] of Object.entries(demoSchemas)) {
      const examples: unknown = z.globalRegistry.get(schema)?.examples
      const example = (Array.isArray(examples) ? examples[0] : undefined) as Record<string, unknown> | undefined
      if (!example) throw new Error(`src/messages.ts gives ${type} no example`)
      const mine = handWritten[type]?.['~standard']
      for (const sample of samples(type, example)) {
        const result = mine?.validate(sample)
        const accepted = result !== undefined && 'value' in result
        const byZod = schema.safeParse(sample).success
        if (accepted !== byZod) disagreements.push(`${type}: zod ${verdict(byZod)}, demo-schemas.js ${verdict(accepted)} ${show(sample)}`)
        if (result && 'issues' in result) expect(result.issues.every((issue) => issue.message !== '')).toBe(true)
      }
    }
    expect(disagreements).toEqual([])
  })
})
