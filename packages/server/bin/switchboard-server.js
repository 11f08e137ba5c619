#!/usr/bin/env node
// The server's command. The package ships TypeScript source; tsx compiles it as it loads.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
