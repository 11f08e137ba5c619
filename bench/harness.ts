import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { signal, within } from './deadline.js'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const TSX = here('./node_modules/.bin/tsx')

/** A process of this folder run with tsx (the client from source); its stdout lines are handed to `onLine`. */
export function runScript(script: string, env: Record<string, string> = {}, onLine: (line: string) => void = () => {}): ChildProcess {
  const child = spawn(TSX, ['--conditions=@switchboard/source', here(script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      onLine(buffer.slice(0, newline))
      buffer = buffer.slice(newline + 1)
    }
  })
  return child
}

/**
 * Runs a load script to its end and returns its last stdout line parsed as JSON. The scripts time their
 * own waits out; past `timeoutMs` in all, the script is killed and the run fails.
 */
export async function runLoad<T>(script: string, env: Record<string, string>, timeoutMs = 240_000): Promise<T> {
  let last = ''
  const child = runScript(script, env, (line) => (last = line))
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const [code] = await within(exit, timeoutMs, `${script} to finish`).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw error
  })
  if (code !== 0) throw new Error(`${script} exited with ${code}`)
  return JSON.parse(last) as T
}

export interface ServerProcess {
  port: number
  pid: number
  url: string
  /** Collects garbage in the server, then resolves with the bytes live after it (heap used plus external). */
  collect(): Promise<number>
  stop(): Promise<void>
  /** Kills the server at once (SIGKILL), for a benchmark done with it whose orderly shutdown would only cost time. */
  kill(): Promise<void>
}

/** Starts servers/<kind>.ts and waits (30 s at most) for its "ready <port> <pid>" line. */
export async function startServer(kind: 'switchboard' | 'raw', env: Record<string, string> = {}): Promise<ServerProcess> {
  let resolveReady: (ready: [number, number]) => void = () => {}
  const ready = new Promise<[number, number]>((resolve) => (resolveReady = resolve))
  // The line names the server's own pid: the child here is tsx, which runs the server in a process of its own.
  let collected = signal<number>()
  const child = runScript(`./servers/${kind}.ts`, env, (line) => {
    const match = /^ready (\d+) (\d+)$/.exec(line)
    if (match) resolveReady([Number(match[1]), Number(match[2])])
    const live = /^collected (\d+)$/.exec(line)
    if (live) collected.resolve(Number(live[1]))
  })
  const exitedEarly = once(child, 'exit').then(([code]) => Promise.reject(new Error(`servers/${kind}.ts exited with ${String(code)} before it was ready`)))
  exitedEarly.catch(() => {})
  const [port, pid] = await within(Promise.race([ready, exitedEarly]), 30_000, `servers/${kind}.ts to be ready`)
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    // tsx does not pass SIGKILL on: the server, its child, is killed first.
    for (const target of [pid, child.pid]) if (target !== undefined) killQuietly(target)
    await exited
  }
  return {
    port,
    pid,
    url: `http://127.0.0.1:${port}`,
    collect: () => {
      collected = signal<number>()
      process.kill(pid, 'SIGUSR2')
      return within(collected.promise, 30_000, `servers/${kind}.ts to collect garbage`)
    },
    // A server that has not shut down within 10 s is killed.
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await within(exited, 10_000, `servers/${kind}.ts to stop`).catch(async () => {
        console.error(`bench: servers/${kind}.ts did not stop on SIGTERM within 10 s; killed`)
        await kill()
      })
    },
    kill,
  }
}

/** SIGKILL to a process that may have exited already. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone already
  }
}

/** Resident memory of a process, in bytes. */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1] ?? 0) * 1024
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50)
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
