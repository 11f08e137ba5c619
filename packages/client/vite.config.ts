/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import type { Plugin } from 'vite'

// reconnecting-websocket logs through `this._debug(...)`, which does nothing unless its own `debug`
// option is set. The SDK never sets it (it logs through its own logger), so the <script> bundle drops
// those calls, and their strings, from the inlined library, and then the `_debug` method they leave
// uncalled (with the spread helpers only it used).
const dropLibraryDebugCalls: Plugin = {
  name: 'drop-reconnecting-websocket-debug-calls',
  transform(code, id) {
    if (!id.includes('reconnecting-websocket')) return undefined
    const withoutCalls = code.replace(/^\s*(?:_this|this)\._debug\(.*\);$/gm, '')
    // The method goes only once nothing calls it (a call the line pattern missed keeps it).
    if (/\._debug\(/.test(withoutCalls)) return { code: withoutCalls, map: null }
    return { code: withoutCalls.replace(/^ {4}ReconnectingWebSocket\.prototype\._debug = function \(\) \{$[\s\S]*?^ {4}\};$/m, ''), map: null }
  },
}

// Two artefacts from one source: an ES module for bundlers and an IIFE for a <script> tag.
// The ES build keeps its dependencies external (the app's bundler dedupes them); the IIFE inlines them.
export default defineConfig(({ mode }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: mode === 'iife' ? [dropLibraryDebugCalls] : [],
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
      // no other code touches; the SDK's package-internal members are `_`-prefixed too (the rest are
      // #private). Shortening them, and leaving out the namespace's Symbol.toStringTag that a global
      // object does not need, keeps the bundle inside its budget.
      output: mode === 'iife' ? { minify: { compress: true, mangle: true, mangleProps: { include: /^_/ } }, generatedCode: { symbols: false } } : {},
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
}))
