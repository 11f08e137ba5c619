import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import type { Log } from './log.js'
import type { Credentials } from './credentials.js'
import type { ParticipantStore } from './participants.js'

export interface HttpOptions {
  participants: ParticipantStore
  credentials: Credentials
  /** What GET /status reports to operators. */
  status: () => unknown
  /** The built demo pages (vite's output). */
  pagesDir: string
  /** The client's dist folder, served under /static/. */
  clientDistDir: string
  log: Log
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** The HTTP side: demo pages, client bundles, and Dallinger-shaped participant and agent endpoints. */
export function createHttpHandler({ participants, credentials, status, pagesDir, clientDistDir, log }: HttpOptions) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://demo')
    const path = url.pathname
    try {
      if (path === '/chat') return send(response, 400, 'text/plain; charset=utf-8', '/chat is a WebSocket endpoint\n')
      if (path === '/status' && request.method === 'GET') return json(response, 200, status())
      if (request.method === 'POST') {
        // Dallinger: POST /participant/<worker_id>/<hit_id>/<assignment_id>/<mode>; the demo also takes /participant.
        const participantRoute = /^\/participant(?:\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?)?\/?$/.exec(path)
        if (participantRoute) {
          const [, worker_id, hit_id, assignment_id, mode] = participantRoute.map((part) => (part === undefined ? undefined : decodeURIComponent(part)))
          const participant = await participants.create(definedOnly({ worker_id, hit_id, assignment_id, mode }))
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
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
      if (path.startsWith('/static/')) return await serveFile(response, clientDistDir, path.slice('/static/'.length))
      return await serveFile(response, pagesDir, path === '/' ? 'index.html' : path.slice(1))
    } catch (error) {
      log('error', 'http.failed', { path, error })
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n')
    }
  }
}

async function serveFile(response: ServerResponse, root: string, relative: string): Promise<void> {
  const file = normalize(join(root, decodeURIComponent(relative)))
  if (!file.startsWith(normalize(root) + sep)) return send(response, 404, 'text/plain; charset=utf-8', 'not found\n')
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return send(response, 404, 'text/plain; charset=utf-8', `not found: /${relative}\n(are the pages and the client built? npm start builds them)\n`)
  }
  send(response, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body)
}

function json(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value))
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' })
  response.end(body)
}

function definedOnly<T extends Record<string, string | undefined>>(value: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string }
}
