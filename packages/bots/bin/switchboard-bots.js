#!/usr/bin/env node
// The bots' command. The package ships TypeScript source, and bot scripts may be TypeScript too: tsx
// compiles both as they load.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
