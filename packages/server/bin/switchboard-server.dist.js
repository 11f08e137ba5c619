#!/usr/bin/env node
// The installed package's command: the built server, with tsx registered so that an experiment
// written in TypeScript (--experiment ./my-experiment.ts) loads as it is.
import { register } from 'tsx/esm/api'

register()
await import('../dist/cli.js')
