import { spawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { withTimeout } from './wait.js'

/**
 * Every child process the harness starts, so that none outlives the test file: each scenario stops
 * its own in afterAll/afterEach, and if the worker itself goes away first, this kills what is left.
 */
const live = new Set<ChildProcess>()

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Spawns `command` and tracks it until it exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options)
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** Whether `child` is still running (neither exited nor killed by a signal yet). */
export function running(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null
}

/**
 * Sends `signal` and waits for the exit; resolves with how it ended. A child that has not exited
 * `graceMs` after a SIGTERM is SIGKILLed (and the wait goes on, bounded as well).
 */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals, graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!running(child)) return { code: child.exitCode, signal: child.signalCode }
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  child.kill(signal)
  try {
    const [code, by] = await withTimeout(exited, graceMs, `pid ${child.pid} to exit after ${signal}`)
    return { code, signal: by }
  } catch (error) {
    if (signal === 'SIGKILL') throw error
    child.kill('SIGKILL')
    const [code, by] = await withTimeout(exited, 5000, `pid ${child.pid} to exit after SIGKILL`)
    return { code, signal: by }
  }
}
