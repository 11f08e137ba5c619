/// <reference types="vitest/config" />
import { defaultClientConditions, defineConfig } from 'vite'

// The pages import @switchboard/client's source (the custom condition), so no stale client build
// can stand in the way during development.
export default defineConfig({
  root: 'pages',
  resolve: { conditions: ['@switchboard/source', ...defaultClientConditions] },
  build: {
    outDir: '../dist/pages',
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
  },
})
