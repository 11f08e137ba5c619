import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CATALOGUE_END, CATALOGUE_START, README_PATH, catalogue, describeType, readmeCatalogue } from '../scripts/catalogue.js'
import { demoSchemas } from '../src/messages.js'

describe('the message catalogue in README.md', () => {
  it('is what scripts/catalogue.ts prints from the schemas in src/messages.ts', () => {
    const expected = catalogue()
    const actual = readmeCatalogue(readFileSync(README_PATH, 'utf8'))
    // The whole expected catalogue is in the message, ready to paste.
    expect(actual, `README.md's message catalogue is not what src/messages.ts says. Run \`npx tsx scripts/catalogue.ts --write\` in packages/demo, or put this between\n${CATALOGUE_START}\nand ${CATALOGUE_END}:\n\n${expected}\n`).toBe(expected)
  })

  it('shows for each message an example that its schema accepts', () => {
    for (const [type, schema] of Object.entries(demoSchemas)) {
      const examples: unknown = z.globalRegistry.get(schema)?.examples
      expect(examples, type).toHaveLength(1)
      for (const example of Array.isArray(examples) ? examples : []) expect(schema.safeParse(example).error?.issues, `${type}: ${JSON.stringify(example)}`).toBeUndefined()
    }
  })

  it('refuses a field schema it has no words for, rather than describe it wrongly', () => {
    expect(describeType({ type: 'string', minLength: 1, maxLength: 2000 })).toBe('string, 1 to 2000 characters')
    expect(() => describeType({ type: 'string', pattern: '^room_' })).toThrow(/pattern/)
    expect(() => describeType({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })).toThrow(/bounded integer/)
    expect(() => describeType({ type: 'boolean' })).toThrow(/boolean/)
  })
})
