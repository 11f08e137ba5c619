import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RateVerdict } from '../access/address-rate.js'
import type { Credentials } from '../access/credentials.js'
import type { AllowedOrigins } from '../access/origins.js'
import type { Log } from '../log.js'
import type { Participant, ParticipantStore } from '../state/participants.js'
import { answerPreflight, corsVerdict, setCorsHeaders } from './cors.js'
import { isOperatorPath, operatorRoute } from './operator-routes.js'
import type { OperatorRoutes } from './operator-routes.js'
import { TEXT, json, send } from './respond.js'
import { serveFile } from './static-files.js'

export interface HttpOptions extends OperatorRoutes {
  participants: ParticipantStore
  credentials: Credentials
  /** Called with each new participant; its credential is handed out once this resolves. */
  created: (participant: Participant) => Promise<void>
  /** What GET /status reports to operators. */
  status: () => unknown
  /** The experiment's pages, served at `/`; without them `/` describes the server's endpoints. */
  pagesDir: string | undefined
  /** The client's browser bundles (its dist/static folder), served under /static/. */
  clientDistDir: string
  /** Other origins whose pages may call the endpoints (CORS), besides the server's own. */
  allowedOrigins: AllowedOrigins | undefined
  /** Whether the request's source address may create one more participant now (`participantsPerMinute`). */
  mint: (request: IncomingMessage) => RateVerdict
  log: Log
}

const INDEX = `Switchboard server
  /chat                          the WebSocket endpoint (Dallinger's protocol)
  POST /participant              a new participant and its credential
  POST /node/<participant id>    its agent, as Dallinger's createAgent
  GET /status                    sockets and broker, for operators
  GET /export[?format=csv]       the session's record (RECORD_DIR or DATABASE_URL), for the operator
  /dashboard                     the session live, for the operator (SWITCHBOARD_OPERATOR_TOKEN)
  /static/                       the client: switchboard.js (ES module), switchboard.iife.js (<script>)
No pages are served here: start the server with pages (PAGES_DIR, or the pagesDir option) to serve an experiment's pages at /.
`

/** The HTTP side: pages, client bundles, `/status`, and Dallinger-shaped participant and agent endpoints. */
export function createHttpHandler(options: HttpOptions) {
  const { participants, credentials, created, status, pagesDir, clientDistDir, allowedOrigins, mint, log } = options
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://switchboard')
    const path = url.pathname
    try {
      const cors = corsVerdict(request, allowedOrigins)
      if (cors === 'refused') {
        // Refused before anything happens: another site's page must not create participants here.
        log('warn', 'http.origin_refused', { path, origin: request.headers.origin })
        return json(response, 403, { status: 'error', message: `origin ${request.headers.origin} is not allowed` })
      }
      if (cors === 'allowed') {
        if (request.method === 'OPTIONS') return answerPreflight(request, response)
        setCorsHeaders(request, response)
      }
      if (path === '/chat') return send(response, 400, TEXT, '/chat is a WebSocket endpoint\n')
      if (path === '/status' && request.method === 'GET') return json(response, 200, status())
      if (request.method === 'GET' && isOperatorPath(path)) return await operatorRoute(options, request, response, url)
      if (request.method === 'POST') {
        // Dallinger: POST /participant/<worker_id>/<hit_id>/<assignment_id>/<mode>; this server also takes /participant.
        const participantRoute = /^\/participant(?:\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?)?\/?$/.exec(path)
        if (participantRoute) {
          // Participants cost nothing to mint, and each brings its own socket and channel quota.
          const verdict = mint(request)
          if (!verdict.ok) {
            const seconds = Math.ceil(verdict.retryAfterMs / 1000)
            response.setHeader('retry-after', String(seconds))
            return json(response, 429, { status: 'error', message: `too many new participants from your address; try again in ${seconds} s` })
          }
          const [, worker_id, hit_id, assignment_id, mode] = participantRoute.map((part) => (part === undefined ? undefined : decodeURIComponent(part)))
          const participant = await participants.create(definedOnly({ worker_id, hit_id, assignment_id, mode }))
          await created(participant)
          log('info', 'participant.created', { participantId: participant.id })
          // The credential for this participant's sockets; Dallinger's JSON has no such field, pages that
          // do not know it ignore it.
          return json(response, 200, { status: 'success', participant, token: credentials.issue(participant.id) })
        }
        const nodeRoute = /^\/node\/(\d+)\/?$/.exec(path)
        if (nodeRoute) {
          const node = await participants.createNode(Number(nodeRoute[1]))
          if (!node) return json(response, 403, { status: 'error', message: `participant ${nodeRoute[1]} cannot get a node` })
          return json(response, 200, { status: 'success', node })
        }
        return json(response, 404, { status: 'error', message: `no route ${path}` })
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, TEXT, 'method not allowed\n')
      if (path.startsWith('/static/')) {
        return await serveFile(response, clientDistDir, path.slice('/static/'.length), `(the client's browser bundles are not in ${clientDistDir}: build @switchboard/client, or pack and install it again)`)
      }
      if (pagesDir === undefined) return path === '/' ? send(response, 200, TEXT, INDEX) : send(response, 404, TEXT, `not found: ${path}\n`)
      return await serveFile(response, pagesDir, path === '/' ? 'index.html' : path.slice(1), '(are the pages built? npm start builds them)')
    } catch (error) {
      log('error', 'http.failed', { path, error })
      if (!response.headersSent) send(response, 500, TEXT, 'internal error\n')
    }
  }
}

function definedOnly<T extends Record<string, string | undefined>>(value: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string }
}
