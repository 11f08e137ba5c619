import type { IncomingMessage, ServerResponse } from 'node:http'
import { OPERATOR_COOKIE, isOperator, sameSecret } from '../access/operator.js'
import { recordFilter } from '../record/export.js'
import type { ExportFormat, RecordFilter } from '../record/export.js'
import { TEXT, json, send } from './respond.js'
import { serveFile } from './static-files.js'

export interface OperatorRoutes {
  /** The operator's token (SWITCHBOARD_OPERATOR_TOKEN); without one, /export and /dashboard are off. */
  operatorToken: string | undefined
  /** The session's record as `format`; undefined when the server keeps none. */
  exportRecord: ((format: ExportFormat, filter: RecordFilter) => Promise<string>) | undefined
  /** The session's last minutes, for a dashboard that opens now. */
  timeline: () => unknown
  /** The dashboard's page, and the charting library's files it loads. */
  dashboardDir: string
  chartsDir: string
}

const OFF = 'set SWITCHBOARD_OPERATOR_TOKEN to turn it on'

/** Whether `path` is one of the operator's: `/export`, `/dashboard` and what its page loads. */
export function isOperatorPath(path: string): boolean {
  return path === '/export' || path === '/dashboard' || path.startsWith('/dashboard/')
}

/** Answers `GET` of an operator's path, for the operator alone (see {@link isOperatorPath}). */
export async function operatorRoute(routes: OperatorRoutes, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const { pathname: path } = url
  const { operatorToken } = routes
  if (operatorToken === undefined) return json(response, 404, { status: 'error', message: `${path} is off: ${OFF}` })
  if (path === '/dashboard') {
    const given = url.searchParams.get('token')
    // The token once in the address (a link printed at start): kept in a cookie, and taken out of the address.
    if (given !== null && sameSecret(given, operatorToken)) {
      // Secure when the page was reached over HTTPS (here, or at the proxy in front).
      const secure = 'encrypted' in request.socket || request.headers['x-forwarded-proto'] === 'https' ? '; Secure' : ''
      // Relative: the same under /switchboard/ (front-proxy mode) as at the root.
      response.writeHead(303, { location: 'dashboard', 'set-cookie': `${OPERATOR_COOKIE}=${encodeURIComponent(operatorToken)}; HttpOnly; SameSite=Strict; Path=/${secure}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
      return void response.end()
    }
  }
  // The operator's token alone: a participant's credential is no way in.
  if (!isOperator(request, operatorToken)) {
    if (path === '/export') return json(response, 401, { status: 'error', message: 'the operator token is required (Authorization: Bearer …)' })
    const wrong = path === '/dashboard' && url.searchParams.has('token')
    return send(response, 401, 'text/html; charset=utf-8', LOGIN.replace('<!--problem-->', wrong ? '<p style="color: #b3261e">That is not the operator\'s token.</p>' : ''))
  }
  if (path === '/export') {
    if (!routes.exportRecord) return json(response, 404, { status: 'error', message: 'no record is kept: set RECORD_DIR or DATABASE_URL' })
    const csv = url.searchParams.get('format') === 'csv'
    return send(response, 200, csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8', await routes.exportRecord(csv ? 'csv' : 'jsonl', recordFilter(url.searchParams.get('kind'), url.searchParams.get('channel'))))
  }
  // The page loads what it needs by relative paths: from /dashboard only (or /switchboard/dashboard).
  if (path === '/dashboard/') {
    response.writeHead(308, { location: '../dashboard' })
    return void response.end()
  }
  if (path === '/dashboard') return serveFile(response, routes.dashboardDir, 'index.html', '')
  if (path === '/dashboard/timeline') return json(response, 200, routes.timeline() ?? {})
  const file = path.slice('/dashboard/'.length)
  if (file.startsWith('charts/')) return serveFile(response, routes.chartsDir, file.slice('charts/'.length), '(uplot is not installed)')
  return serveFile(response, routes.dashboardDir, file, '')
}

const LOGIN = `<!doctype html>
<meta charset="utf-8">
<title>Switchboard dashboard</title>
<form method="get" action="dashboard" style="font: 16px system-ui; margin: 4em auto; max-width: 24em">
  <h1>Switchboard dashboard</h1>
  <!--problem-->
  <p>The operator's token (SWITCHBOARD_OPERATOR_TOKEN):</p>
  <input name="token" type="password" autofocus required style="width: 100%; font: inherit">
  <button style="margin-top: 1em; font: inherit">Open</button>
</form>
`
