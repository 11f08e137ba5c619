import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Experiment } from './experiment.js'

const isExperiment = (value: unknown): value is Experiment =>
  typeof value === 'object' && value !== null && typeof (value as Experiment).channel === 'string' && typeof (value as Experiment).receiveMessage === 'function'

/**
 * The experiment a module exports by default: an `Experiment` object, a class whose instances are one,
 * or a function that returns one. TypeScript modules load when the process runs under tsx, as
 * `switchboard-server` does. Throws, naming the file, when the module has no such export.
 * @example const experiment = await loadExperiment('./my-experiment.ts')
 */
export async function loadExperiment(file: string, cwd = process.cwd()): Promise<Experiment> {
  const path = resolve(cwd, file)
  let module: { default?: unknown }
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown }
  } catch (error) {
    const message = (error as Error).message
    // tsx takes a .ts file outside an ES-module package for CommonJS, which cannot load this way.
    const hint = /require\(\)|ERR_REQUIRE|CommonJS/i.test(message) ? ' (an ES module is needed: give its package.json "type": "module", or name it .mts)' : ''
    throw new Error(`experiment ${path} did not load${hint}: ${message}`)
  }
  const exported = module.default
  const made = typeof exported === 'function' ? make(exported as (...args: never[]) => unknown) : exported
  if (isExperiment(made)) return made
  throw new Error(`experiment ${path}: its default export must be an Experiment ({ channel, receiveMessage(message, context) }), a class of them or a function that returns one`)
}

function make(exported: (...args: never[]) => unknown): unknown {
  // A class has a prototype with the experiment's methods; a plain function is called.
  const prototype = (exported as { prototype?: { receiveMessage?: unknown } }).prototype
  if (typeof prototype?.receiveMessage === 'function') return new (exported as unknown as new () => unknown)()
  return exported()
}
