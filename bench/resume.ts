// 5. Resume at scale: 500 SDK clients on one channel, every socket dropped at once, 200 messages published
// by the server right after the drop, before the clients are back. With resume, the time until every client holds all
// 200 (replayed from history); the reference is the same clients without resume, the time until every one
// is open again (they cannot catch up). In memory mode and in Redis mode on two processes; fresh servers
// for every run.
import type { ResumeClientsResult } from './resume-clients.js'
import { fmt, runLoad } from './harness.js'
import { serverEnv, TOPOLOGY_LABELS, withServers } from './topologies.js'

export const RESUME_LOAD = { clients: 500, messages: 200, minDelayMs: 50, maxDelayMs: 300 } as const

export interface ResumePair {
  /** Resume on: every client catches up. */
  resume: ResumeClientsResult
  /** Resume off, the reference: every client open again. */
  plain: ResumeClientsResult
}

export interface ResumeResult {
  memory: ResumePair
  redis: ResumePair
}

async function dropRun(topology: 'memory' | 'redis', resume: boolean): Promise<ResumeClientsResult> {
  // The first server process publishes the messages right after the drop (servers/switchboard.ts).
  const publisher = (index: number): Record<string, string> => (index === 0 ? { PUBLISH_ON_DROP: String(RESUME_LOAD.messages) } : {})
  const run = await withServers(
    topology,
    (servers) =>
      runLoad<ResumeClientsResult>('./resume-clients.ts', {
        ...serverEnv(servers),
        SERVER_PIDS: servers.map((server) => server.pid).join(','),
        CLIENTS: String(RESUME_LOAD.clients),
        MESSAGES: String(RESUME_LOAD.messages),
        MIN_DELAY_MS: String(RESUME_LOAD.minDelayMs),
        MAX_DELAY_MS: String(RESUME_LOAD.maxDelayMs),
        RESUME: resume ? '1' : '0',
      }),
    publisher,
  )
  const caughtUp = run.caughtUpMs === null ? `messages held ${run.fewestReceived} to ${run.mostReceived} of ${run.messages}` : `all caught up ${fmt(run.caughtUpMs)} ms`
  const odd = `${run.gaps > 0 ? `; ${run.gaps} GAPS` : ''}${run.errors > 0 ? `; ${run.errors} ERRORS, first: ${run.firstError ?? ''}` : ''}`
  console.log(
    `resume ${TOPOLOGY_LABELS[topology]}, resume ${resume ? 'on' : 'off'}: ${run.clients} clients, from the drop: first back ${fmt(run.firstOpenMs)} ms, all open ${fmt(run.allOpenMs)} ms, ${caughtUp}${odd}`,
  )
  return run
}

/** How much longer catching up takes than merely being back: resume's caught-up time over the reference's all-open time. */
export function resumeRatio(pair: ResumePair): number {
  return (pair.resume.caughtUpMs ?? Number.NaN) / pair.plain.allOpenMs
}

export async function benchResume(): Promise<ResumeResult> {
  const result: ResumeResult = {
    memory: { plain: await dropRun('memory', false), resume: await dropRun('memory', true) },
    redis: { plain: await dropRun('redis', false), resume: await dropRun('redis', true) },
  }
  console.log(`resume ratio caught up / reference all open: in memory ${fmt(resumeRatio(result.memory), 2)}×, Redis ${fmt(resumeRatio(result.redis), 2)}×`)
  return result
}

if (import.meta.url === `file://${process.argv[1]}`) await benchResume()
