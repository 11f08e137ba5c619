import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The files the server serves from packages: the client's bundles, the dashboard's page and its charts.

/** The dashboard's page, in this package. */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard')

/** uPlot's browser build, which the dashboard draws its charts with. */
export function chartsDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist')
}

/** The client's browser bundles (dist/static), wherever the workspace or node_modules put the package. */
export function clientDist(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@switchboard/client/package.json')), 'dist', 'static')
}
