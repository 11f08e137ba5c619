// docs/tutorial.md shows this example's files in full: each block marked <!-- file: … --> must be
// that file exactly, so the tutorial cannot drift from the code that the tests run.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

const example = (path: string) => new URL(`../${path}`, import.meta.url)
const tutorial = readFileSync(new URL('../../../docs/tutorial.md', import.meta.url), 'utf8')

test('every file the tutorial shows is the example’s file, and the tutorial shows them all', () => {
  const blocks = [...tutorial.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)\n```\n/g)]
  const shown = blocks.map(([, path]) => path)
  assert.deepEqual(shown.sort(), ['bot.ts', 'experiment.ts', 'messages.ts', 'public/game.js', 'public/index.html', 'public/module.html', 'test/game.test.ts'])
  for (const [, path, code] of blocks) assert.equal(`${code}\n`, readFileSync(example(path ?? ''), 'utf8'), `${path} differs from the tutorial`)
})
