import type { Server } from './server.js'

/**
 * Runs a server as a command: starts it, prints `banner` on stdout, and on SIGINT or SIGTERM closes
 * every socket with 1001 and exits 0. A server that cannot start (a bad rules file, a port in use, Redis
 * unreachable) exits 1 with one line saying why.
 * @example await runCommand('my-experiment', async () => startServer({ ...(await serverOptionsFromEnv()), experiment }), (s) => `Open ${s.url}/`)
 */
export async function runCommand(name: string, start: () => Promise<Server>, banner: (server: Server) => string): Promise<Server> {
  let server: Server
  try {
    server = await start()
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  process.stdout.write(`\n${banner(server)}\n\n`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', event: 'server.stopping', signal })}\n`)
      void server.close().then(() => process.exit(0))
    })
  }
  return server
}
