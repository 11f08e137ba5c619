/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url'
import { defaultServerConditions, defineConfig } from 'vite'

// Two builds from one source (`npm run build` runs both):
// - `vite build` (default mode) → dist/switchboard.js and dist/testing.js: ES modules for bundlers
//   (the client has no runtime dependency).
// - `vite build --mode static` → dist/static/, exactly what a server serves to browsers as it is:
//   switchboard.js (an ES module for `<script type="module">`) and switchboard.iife.js (a `<script>`
//   that sets window.Switchboard), minified, with a source map.
//   `--mode iife` is the same build, under the name e2e/global-setup.ts uses.
export default defineConfig(({ mode }) => {
  const browser = mode === 'static' || mode === 'iife'
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    build: {
      // dist/static/ is this build's own folder, so it starts empty; the default build empties dist/.
      outDir: browser ? 'dist/static' : 'dist',
      emptyOutDir: true,
      minify: browser,
      sourcemap: true,
      lib: browser
        ? { entry: 'src/browser.ts', formats: ['es', 'iife'], name: 'Switchboard', fileName: (format) => (format === 'iife' ? 'switchboard.iife.js' : 'switchboard.js') }
        : { entry: { switchboard: 'src/index.ts', clock: 'src/clock.ts', presence: 'src/presence.ts', testing: 'src/testing.ts' }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
      rollupOptions: {
        // The SDK's package-internal members are `_`-prefixed (the rest are #private), and no other code
        // in the browser bundles touches a `_`-prefixed property. Shortening them, and
        // leaving out the namespace's Symbol.toStringTag that a global object does not need, keeps the
        // <script> bundle inside its budget. Vite keeps the whitespace and the /* @__PURE__ */ notes of
        // an ES library for the bundler that will read it; no bundler reads dist/static/switchboard.js,
        // so `codegen` and `comments` minify it like the IIFE.
        output: browser ? { minify: { compress: true, mangle: true, mangleProps: { include: /^_/ }, codegen: true }, comments: false, generatedCode: { symbols: false } } : {},
      },
    },
    // Tests run in Node (vite's SSR environment). The README's example imports this package by its
    // name; the custom condition makes that name mean the source, as in the demo's and server's tests.
    ssr: { resolve: { conditions: ['@switchboard/source', ...defaultServerConditions], externalConditions: ['@switchboard/source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
    },
  }
})
