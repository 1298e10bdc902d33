/**
 * Exponential backoff with "equal jitter" (half fixed, half random): the delay before retry
 * `attempt` (from 1) is base = min(max, initial · 2^(attempt−1)), then base/2 + random · base/2.
 * Used by the registry wait (resolve-digest) and by the job retries (retry-policy).
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return base / 2 + random() * (base / 2);
}
