/// <reference types="vitest/config" />
import { defaultServerConditions, defineConfig } from 'vite'

// The tests import @switchboard/client's source (the custom condition), so no stale build stands in the way.
export default defineConfig({
  ssr: { resolve: { conditions: ['@switchboard/source', ...defaultServerConditions], externalConditions: ['@switchboard/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: a loaded 2-core machine running every file at once can stall a process for seconds.
    testTimeout: 30_000,
  },
})
