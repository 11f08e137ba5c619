export interface BackoffRange {
  minDelayMs: number
  maxDelayMs: number
}

/**
 * The wait before reconnect attempt `attempt` (1, 2, …): uniform in [min, min(max, min·2^attempt)],
 * drawn anew for every attempt, so clients dropped together by a server restart come back spread out
 * instead of all at once.
 */
export function backoffDelay(attempt: number, { minDelayMs, maxDelayMs }: BackoffRange, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(1, attempt))
  return Math.round(minDelayMs + random() * Math.max(0, ceiling - minDelayMs))
}
