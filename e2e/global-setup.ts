import { fileURLToPath } from 'node:url'
import { build } from 'vite'

// Builds the script-tag bundle and the demo pages from source before every run, so a test never
// runs against a stale build.
export default async function globalSetup(): Promise<void> {
  const client = fileURLToPath(new URL('../packages/client/', import.meta.url))
  const demo = fileURLToPath(new URL('../packages/demo/', import.meta.url))
  const quiet = { logLevel: 'warn' as const }
  await build({ configFile: `${client}vite.config.ts`, mode: 'iife', ...quiet })
  await build({ configFile: `${demo}vite.config.ts`, ...quiet })
}
