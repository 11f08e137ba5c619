/// <reference types="vitest/config" />
import { defaultServerConditions, defineConfig } from 'vite'

// The tests import @switchboard/client's source (the custom condition), so no stale build stands in the way.
export default defineConfig({
  ssr: { resolve: { conditions: ['@switchboard/source', ...defaultServerConditions], externalConditions: ['@switchboard/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
})
