import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The README's examples that need no server are test files, shown verbatim, so they cannot rot.
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

/** The first ```ts block of the README section that starts with `heading` (up to the next `#`/`##` heading). */
function exampleIn(heading: string): string | undefined {
  const start = readme.indexOf(`\n${heading}\n`)
  if (start < 0) return undefined
  const end = readme.slice(start + 1).search(/\n#{1,2} /)
  const section = readme.slice(start, end < 0 ? undefined : start + 1 + end)
  return /```ts\n([\s\S]*?)```/.exec(section)?.[1]
}

describe('the README', () => {
  it('shows test/readme-example.test.ts as its "Testing your own code" example, verbatim', () => {
    expect(exampleIn('### Testing your own code')).toBe(readFileSync(new URL('./readme-example.test.ts', import.meta.url), 'utf8'))
  })

  it('shows test/readme-fake-server.test.ts as its "A fake server for a page\'s logic" example, verbatim', () => {
    expect(exampleIn("### A fake server for a page's logic")).toBe(readFileSync(new URL('./readme-fake-server.test.ts', import.meta.url), 'utf8'))
  })
})
