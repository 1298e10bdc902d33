import { backoffDelayMs } from "./backoff.js";

/** Retries of one job after a retryable failure, before the failure is reported as final. */
export const MAX_JOB_RETRIES = 5;
/** The first retry comes after about this long (15 s: 7.5–15 s with jitter), then twice as long each time... */
export const FIRST_RETRY_MS = 15_000;
/** ...up to this (4 min) for one delay: five retries span about 4–8 minutes. */
export const MAX_RETRY_MS = 240_000;

/**
 * Codes that are never retried as a job even though they are retryable: `image_not_found` has
 * already been waited for (imageWaitSeconds is the user's budget for it); retrying the job would
 * wait past it.
 */
const WAITED_FOR = new Set(["image_not_found"]);

export type RetryDecision = { kind: "retry"; delayMs: number; retry: number; of: number } | { kind: "report" };

/**
 * Whether a job that failed with `failure` runs again later (a delayed job, with Redis) or reports
 * the failure now. Retryable failures (GitHub 5xx, secondary rate limits, a branch that moved,
 * registry unavailable) are retried up to MAX_JOB_RETRIES times with exponential backoff; a
 * non-retryable one is reported at once, and only once.
 */
export function decideRetry(failure: { code: string; retryable: boolean }, retriesSoFar: number, random: () => number = Math.random): RetryDecision {
  if (!failure.retryable || WAITED_FOR.has(failure.code) || retriesSoFar >= MAX_JOB_RETRIES) return { kind: "report" };
  const retry = retriesSoFar + 1;
  return { kind: "retry", delayMs: Math.ceil(backoffDelayMs(retry, FIRST_RETRY_MS, MAX_RETRY_MS, random)), retry, of: MAX_JOB_RETRIES };
}
