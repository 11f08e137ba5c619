import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { TEXT, send } from './respond.js'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** Answers with the file `relative` under `root`, or 404; nothing outside `root` is ever read. */
export async function serveFile(response: ServerResponse, root: string, relative: string, missing: string): Promise<void> {
  const base = resolve(root)
  const file = join(base, decodeURIComponent(relative))
  if (!file.startsWith(base + sep)) return send(response, 404, TEXT, 'not found\n')
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return send(response, 404, TEXT, `not found: /${relative}\n${missing}\n`)
  }
  send(response, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body)
}
