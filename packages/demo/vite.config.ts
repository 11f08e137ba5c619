/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defaultServerConditions, defineConfig } from 'vite'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The pages import @switchboard/client's source (the custom condition), so no stale client build
// can stand in the way during development.
export default defineConfig({
  root: here('./pages'),
  resolve: { conditions: ['@switchboard/source', ...defaultClientConditions] },
  // Tests run in Node (vite's SSR environment), which resolves with its own conditions.
  ssr: { resolve: { conditions: ['@switchboard/source', ...defaultServerConditions], externalConditions: ['@switchboard/source'] } },
  build: {
    outDir: here('./dist/pages'),
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    root: here('.'),
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
  },
})
