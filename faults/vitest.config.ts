/// <reference types="vitest/config" />
import { defaultServerConditions, defineConfig } from 'vite'
import ByName from './test/sequencer.js'

// The suite imports @switchboard/client's source (the custom condition), so no stale build stands in the way.
// Files run one after another: each starts its own server processes and redis-server, and a 2-core
// machine running two scenarios at once would make every timing figure meaningless.
export default defineConfig({
  ssr: { resolve: { conditions: ['@switchboard/source', ...defaultServerConditions], externalConditions: ['@switchboard/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    sequence: { sequencer: ByName },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
