import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

// Lowest first; a file may import from its own layer or any layer below it. Top-level files wire everything.
const LAYERS = [['protocol', 'log.ts'], ['history', 'state'], ['broker'], ['access'], ['resume'], ['relay'], ['experiment'], ['record'], ['dashboard'], ['http'], ['server.ts', 'assets.ts', 'observers.ts', 'export-command.ts', 'config.ts', 'run.ts', 'cli.ts', 'index.ts']]

const layerOf = (file: string): number => {
  const top = relative(SRC, file).split('/')[0] ?? ''
  const layer = LAYERS.findIndex((names) => names.includes(top))
  if (layer < 0) throw new Error(`${relative(SRC, file)} is in no layer: add its folder to LAYERS`)
  return layer
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : []
  })
}

describe('the server’s layers', () => {
  it('imports only point down, and no source file is over 300 lines', () => {
    const upward: string[] = []
    const long: string[] = []
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8')
      if (text.split('\n').length > 300) long.push(relative(SRC, file))
      for (const [, target] of text.matchAll(/from '(\.[^']+)'/g)) {
        const imported = resolve(dirname(file), target ?? '').replace(/\.js$/, '.ts')
        if (layerOf(imported) > layerOf(file)) upward.push(`${relative(SRC, file)} → ${relative(SRC, imported)}`)
      }
    }
    expect(upward).toEqual([])
    expect(long).toEqual([])
  })
})
