import { fileURLToPath } from 'node:url'
import { startServer } from '@switchboard/server'
import type { Server, ServerOptions } from '@switchboard/server'
import { ChatExperiment } from './chat-experiment.js'

export type DemoServerOptions = Omit<ServerOptions, 'experiment'>

export interface DemoServer extends Server {
  experiment: ChatExperiment
}

/** The demo: a Switchboard server running the chat experiment and serving its pages. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const experiment = new ChatExperiment()
  const server = await startServer({ pagesDir: fileURLToPath(new URL('../dist/pages', import.meta.url)), ...options, experiment })
  return { ...server, experiment }
}
