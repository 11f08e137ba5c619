// The operator's live view of a session, built on the Switchboard client: every process of the server
// sends its figures once a second on the dashboard channel; this page sums them and draws them.
/* global Switchboard, uPlot */
'use strict'

const WINDOW_S = 600 // the charts show the last ten minutes
const PROCESS_SILENT_MS = 5000 // a process not heard from for this long is left out
const ROWS = 100 // participants listed at most (the filter finds the others)
const CHART_CHANNELS = 5 // busiest channels drawn by name; the rest as "other"
const POOR_RTT_MS = 300

const MEANINGS = {
  1003: 'binary frame', 1007: 'malformed frame', 1008: 'rate limit or ping timeout', 1009: 'frame too big',
  1013: 'not stored (Redis away)', 4400: 'bad resume parameters', 4401: 'no valid credential', 4403: 'forbidden',
  4404: 'unknown channel', 4410: 'state lost', 4429: 'too many sockets',
}

const processes = new Map() // process id → its latest figures and when they came
const seconds = new Map() // second (since the epoch) → { present, channels: Map(channel → messages) }
let presence = { participants: {}, channels: {} }
let presenceFrom // the process whose presence that is: once it is silent, nobody is known to be present
let seededUpTo = -Infinity // the seconds the server's timeline gave, which live figures must not count again

/** Adds one process's figures to their second, as the server's timeline does. */
function addToSecond(figures) {
  const second = Math.floor(figures.at / 1000)
  if (second <= seededUpTo) return
  const bucket = seconds.get(second) ?? { present: null, channels: new Map() }
  for (const [channel, n] of Object.entries(figures.messages)) bucket.channels.set(channel, (bucket.channels.get(channel) ?? 0) + n)
  if (figures.presence) bucket.present = Object.keys(figures.presence.participants).length
  seconds.set(second, bucket)
}

const $ = (id) => document.getElementById(id)

const feed = Switchboard.createClient().openChannel('switchboard_dashboard')
feed.on('figures', (figures) => {
  processes.set(figures.process, { figures, heardAt: Date.now() })
  if (figures.presence) {
    presence = figures.presence
    presenceFrom = figures.process
  }
  addToSecond(figures)
})
feed.onStateChange(({ next }) => {
  $('connection').dataset.state = next
  $('connection').textContent = next === 'open' ? 'live' : next
})
feed.onError((error) => console.warn('dashboard:', error.message))

function live() {
  const now = Date.now()
  for (const [id, { heardAt }] of processes) if (now - heardAt > PROCESS_SILENT_MS) processes.delete(id)
  if (presenceFrom !== undefined && !processes.has(presenceFrom)) {
    presence = { participants: {}, channels: {} }
    presenceFrom = undefined
  }
  return [...processes.values()].map(({ figures }) => figures)
}

function sum(values) {
  return values.reduce((total, n) => total + n, 0)
}

/** Each channel's messages in the last second, over every process. */
function rates(figures) {
  const out = new Map()
  for (const { messages } of figures) for (const [channel, n] of Object.entries(messages)) out.set(channel, (out.get(channel) ?? 0) + n)
  return out
}

function tick() {
  const started = performance.now()
  const figures = live()
  const byChannel = rates(figures)
  const participants = Object.entries(presence.participants)
  const newest = Math.floor(Date.now() / 1000)
  for (const second of seconds.keys()) if (second <= newest - WINDOW_S) seconds.delete(second)
  const refusals = new Map()
  for (const f of figures) for (const [code, n] of Object.entries(f.refusals)) refusals.set(code, (refusals.get(code) ?? 0) + n)
  $('present').textContent = String(participants.length)
  $('rate').textContent = String(sum([...byChannel.values()]))
  $('reconnects').textContent = String(sum(figures.map((f) => f.reconnects)))
  $('refusals').textContent = String(sum([...refusals.values()]))
  $('gaps').textContent = String(sum(figures.map((f) => f.gaps)))
  const down = figures.filter((f) => !f.broker.connected)
  $('broker').textContent = figures.length === 0 ? '–' : down.length === 0 ? 'ok' : `${down.length} down`
  $('broker-tile').classList.toggle('bad', down.length > 0 || figures.some((f) => f.broker.lostPublishes > 0))
  $('broker-detail').textContent = figures.length === 0 ? 'broker' : `${figures[0].broker.kind} · ${sum(figures.map((f) => f.broker.outages))} outages · ${sum(figures.map((f) => f.broker.lostPublishes))} lost`
  const sockets = sum(figures.map((f) => f.sockets))
  $('processes').textContent = `${figures.length} process${figures.length === 1 ? '' : 'es'} · ${sockets} socket${sockets === 1 ? '' : 's'}`
  drawParticipants(participants)
  fill($('refusal-codes'), [...refusals].sort((a, b) => b[1] - a[1]).map(([code, n]) => [code, MEANINGS[code] ?? '', n]))
  const channels = new Set([...Object.keys(presence.channels), ...byChannel.keys()])
  fill($('channels'), [...channels].sort((a, b) => (byChannel.get(b) ?? 0) - (byChannel.get(a) ?? 0) || (presence.channels[b] ?? 0) - (presence.channels[a] ?? 0)).slice(0, 20).map((channel) => [channel, presence.channels[channel] ?? 0, byChannel.get(channel) ?? 0]))
  fill($('process-table'), figures.map((f) => [f.process, f.sockets, f.broker.connected ? `${f.broker.kind} ✓` : `${f.broker.kind} ✗`, f.broker.outages, f.broker.lostPublishes, f.record ? `${f.record.kind}: ${f.record.written} written, ${f.record.waiting} waiting${f.record.failures ? `, ${f.record.failures} failures` : ''}` : 'none']))
  drawCharts()
  // How long a redraw takes, for the test that fills the page with hundreds of participants.
  document.body.dataset.tickMs = (performance.now() - started).toFixed(1)
}

function drawParticipants(participants) {
  const filter = $('filter').value.trim()
  const shown = participants.filter(([id]) => filter === '' || id.includes(filter))
  // The worst connections first: highest RTT, then most reconnects.
  shown.sort((a, b) => (b[1][0] ?? -1) - (a[1][0] ?? -1) || b[1][1] - a[1][1])
  $('participant-count').textContent = shown.length > ROWS ? `${ROWS} of ${shown.length} shown` : `${shown.length}`
  fill($('participants'), shown.slice(0, ROWS).map(([id, [rtt, reconnects]]) => [id, rtt === null ? '–' : rtt, reconnects]), (row) => row[1] !== '–' && row[1] >= POOR_RTT_MS)
}

/** Replaces a table's rows; text only, never HTML (ids and channel names come from participants). */
function fill(table, rows, poor = () => false) {
  const body = document.createElement('tbody')
  for (const row of rows) {
    const tr = body.insertRow()
    for (const value of row) tr.insertCell().textContent = String(value)
    if (poor(row)) tr.cells[1]?.classList.add('poor')
  }
  table.tBodies[0].replaceWith(body)
}

let presentChart
let rateChart
let rateChannels = ''

function size(element) {
  return { width: Math.max(300, element.clientWidth), height: 180 }
}

/** The window as columns: seconds, who was present (the last known where a second has none), messages by channel. */
function columns() {
  const t = [...seconds.keys()].sort((a, b) => a - b)
  let known = null
  const present = t.map((second) => (known = seconds.get(second).present ?? known))
  const channels = new Map()
  t.forEach((second, i) => {
    for (const [channel, n] of seconds.get(second).channels) {
      const series = channels.get(channel) ?? new Array(t.length).fill(0)
      series[i] = n
      channels.set(channel, series)
    }
  })
  return { t, present, channels }
}

function drawCharts() {
  const { t, present, channels } = columns()
  const presentEl = $('present-chart')
  presentChart ??= new uPlot({ ...size(presentEl), series: [{}, { label: 'present', stroke: '#2f6fde', width: 2 }], scales: { y: { range: (u, min, max) => [0, Math.max(4, max)] } } }, [[], []], presentEl)
  presentChart.setData([t, present])
  // The busiest channels of the window by name, the others summed.
  // The server's own "(other)" (channels past its busiest twelve) is part of the rest, never a line of its own.
  const totals = [...channels].filter(([channel]) => channel !== '(other)').map(([channel, series]) => [channel, sum(series)]).sort((a, b) => b[1] - a[1])
  const named = totals.slice(0, CHART_CHANNELS).map(([channel]) => channel)
  const rest = [...totals.slice(CHART_CHANNELS).map(([channel]) => channels.get(channel)), ...(channels.has('(other)') ? [channels.get('(other)')] : [])]
  const data = named.map((channel) => channels.get(channel))
  const labels = [...named, ...(rest.length > 0 ? ['other'] : [])]
  if (rest.length > 0) data.push(t.map((_, i) => sum(rest.map((series) => series[i]))))
  const rateEl = $('rate-chart')
  if (rateChart === undefined || rateChannels !== labels.join('\n')) {
    rateChart?.destroy()
    rateChannels = labels.join('\n')
    const colours = ['#2f6fde', '#e0772d', '#2e9e5b', '#a34fc9', '#c9a227', '#888']
    rateChart = new uPlot({ ...size(rateEl), series: [{}, ...labels.map((label, i) => ({ label, stroke: colours[i % colours.length], width: 1.5 }))], scales: { y: { range: (u, min, max) => [0, Math.max(5, max)] } } }, [t, ...data], rateEl)
  } else rateChart.setData([t, ...data])
}

/** The session's last ten minutes, as the server heard them, so a dashboard opened late shows how it got here. */
async function seed() {
  try {
    const response = await fetch('dashboard/timeline', { credentials: 'same-origin' })
    if (!response.ok) return
    const timeline = await response.json()
    if (!Array.isArray(timeline.t)) return
    timeline.t.forEach((second, i) => {
      const channels = new Map(Object.entries(timeline.channels ?? {}).flatMap(([channel, series]) => (series[i] ? [[channel, series[i]]] : [])))
      seconds.set(second, { present: timeline.present[i], channels })
      seededUpTo = Math.max(seededUpTo, second)
    })
  } catch (error) {
    console.warn('dashboard: no timeline', error)
  }
}

$('filter').addEventListener('input', () => drawParticipants(Object.entries(presence.participants)))
seed().finally(() => {
  tick()
  setInterval(tick, 1000)
})
