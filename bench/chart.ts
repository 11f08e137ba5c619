// The scaling curves as an SVG: fan-out throughput and p99 against subscribers, memory per idle socket
// against sockets, raw ws and the Switchboard server side by side. Drawn with Vega-Lite (compiled to a
// Vega spec, rendered headless by vega's View): a well-kept library, plain JavaScript with no native
// dependency, that turns a short declarative spec into a complete SVG with axes and legend, where hand-
// written drawing would be our own code to keep.
import { parse, View } from 'vega'
import { compile } from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'
import type { FanoutScale } from './fanout.js'
import type { MemoryScale } from './memory.js'

interface Point {
  panel: 'throughput' | 'p99' | 'memory'
  x: number
  y: number
  server: string
}

const RAW = 'raw ws (reference)'
const SWITCHBOARD = 'Switchboard, in memory'

/** One line chart of `panel`'s points, a log x axis. */
function panel(name: Point['panel'], title: string, x: string, y: string) {
  return {
    title,
    width: 220,
    height: 180,
    transform: [{ filter: `datum.panel === '${name}'` }],
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative' as const,
        scale: { type: 'log' as const, domain: name === 'memory' ? [1500, 13_000] : [35, 3000], nice: false },
        title: x,
        axis: { values: name === 'memory' ? [2000, 5000, 10_000] : [50, 100, 200, 500, 1000, 2000], format: '~s' },
      },
      y: { field: 'y', type: 'quantitative' as const, title: y, scale: { zero: true }, axis: { format: '~s' } },
      color: { field: 'server', type: 'nominal' as const, title: null, scale: { domain: [RAW, SWITCHBOARD] }, legend: { orient: 'bottom' as const, labelLimit: 400 } },
    },
  }
}

/** The SVG text of the three curves. */
export async function scalingChart(fanout: FanoutScale[], memory: MemoryScale[]): Promise<string> {
  const values: Point[] = [
    ...fanout.flatMap(({ subscribers, raw, memory: switchboard }) => [
      { panel: 'throughput' as const, x: subscribers, y: raw.perSecond, server: RAW },
      { panel: 'throughput' as const, x: subscribers, y: switchboard.perSecond, server: SWITCHBOARD },
      { panel: 'p99' as const, x: subscribers, y: raw.p99, server: RAW },
      { panel: 'p99' as const, x: subscribers, y: switchboard.p99, server: SWITCHBOARD },
    ]),
    ...memory.flatMap(({ connections, raw, switchboard }) => [
      { panel: 'memory' as const, x: connections, y: raw.perConnection / 1024, server: RAW },
      { panel: 'memory' as const, x: connections, y: switchboard.perConnection / 1024, server: SWITCHBOARD },
    ]),
  ]
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    hconcat: [
      panel('throughput', 'Fan-out, ~1,000,000 deliveries at once', 'subscribers', 'deliveries/s'),
      panel('p99', 'Fan-out p99 (queueing under that load)', 'subscribers', 'p99 ms'),
      panel('memory', 'Server memory per idle socket', 'sockets', 'KiB per socket'),
    ],
    config: { font: 'sans-serif' },
  }
  return new View(parse(compile(spec).spec), { renderer: 'none' }).toSVG()
}
