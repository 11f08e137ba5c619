/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// Two artefacts from one source: an ES module for bundlers and an IIFE for a <script> tag.
// The ES build keeps its dependencies external (the app's bundler dedupes them); the IIFE inlines them.
export default defineConfig(({ mode }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    emptyOutDir: mode !== 'iife',
    minify: mode === 'iife',
    sourcemap: true,
    lib:
      mode === 'iife'
        ? { entry: 'src/browser.ts', formats: ['iife'], name: 'Switchboard', fileName: () => 'switchboard.iife.js' }
        : { entry: { switchboard: 'src/index.ts', testing: 'src/testing.ts' }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rollupOptions: {
      external: mode === 'iife' ? [] : ['mitt', 'reconnecting-websocket'],
      // The <script> bundle inlines reconnecting-websocket, whose internals are `_`-prefixed properties
      // no other code touches (ours are #private): shortening them keeps the bundle inside its budget.
      output: mode === 'iife' ? { minify: { compress: true, mangle: true, mangleProps: { include: /^_/ } } } : {},
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
}))
