import { isPromoterError, type PromoterError } from "../errors.js";
import { backoffDelayMs } from "../core/backoff.js";
import { retryAfterOf } from "./registry-errors.js";

export interface WaitOptions {
  /** Total time budget for retrying, measured from the first attempt. */
  timeoutMs: number;
  /** First backoff delay (default 1s); doubles per attempt. */
  initialDelayMs?: number;
  /** Cap on one backoff delay (default 30s). */
  maxDelayMs?: number;
  /**
   * Continue a wait an earlier run began (a delayed job): the budget counts from `startedAt`
   * (epoch ms) and attempts are numbered on from `attempts`, the attempts that already failed.
   */
  resume?: { startedAt: number; attempts: number } | undefined;
}

export interface WaitInfo {
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** How long we sleep before the next attempt. */
  delayMs: number;
  error: PromoterError;
}

export interface GiveUp {
  lastError: PromoterError;
  attempts: number;
  waitedMs: number;
  /** Set when we stopped early because the server asked us to come back after the budget. */
  retryAfterMs?: number;
}

export interface RetryOptions {
  wait?: WaitOptions | undefined;
  onWait?: ((info: WaitInfo) => void | Promise<void>) | undefined;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random?: () => number;
  /** Builds the error thrown once the budget is spent (it says how long we waited). */
  giveUp: (giveUp: GiveUp) => PromoterError;
}

const DEFAULT_INITIAL_DELAY_MS = 1000;
const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * Runs `attempt` until it succeeds, fails with an error that retrying cannot help, or the wait
 * budget is spent. Delays grow exponentially with "equal jitter" (half fixed, half random) and
 * are never shorter than a Retry-After the server sent; the last sleep is cut to end at the
 * deadline so that the final attempt happens within the budget. Without `wait`, one attempt.
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { wait, now, sleep } = options;
  const random = options.random ?? Math.random;
  const start = wait?.resume?.startedAt ?? now();
  const budget = Math.max(0, wait?.timeoutMs ?? 0);
  const initialDelay = Math.max(1, wait?.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS);
  const maxDelay = Math.max(initialDelay, wait?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);

  // Time spent is the clock's view, but never less than what we slept: a clock that does not
  // move (a fake in a test, a frozen VM) cannot make the loop infinite.
  let slept = 0;
  const elapsed = (): number => Math.max(now() - start, slept);

  for (let attempts = (wait?.resume?.attempts ?? 0) + 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isPromoterError(error) || !error.retryable) throw error;
      if (wait === undefined) throw error;

      const remaining = budget - elapsed();
      const retryAfter = retryAfterOf(error);
      if (remaining <= 0) {
        throw options.giveUp({ lastError: error, attempts, waitedMs: elapsed() });
      }
      if (retryAfter !== undefined && retryAfter > remaining) {
        throw options.giveUp({ lastError: error, attempts, waitedMs: elapsed(), retryAfterMs: retryAfter });
      }
      const jittered = backoffDelayMs(attempts, initialDelay, maxDelay, random);
      const delayMs = Math.max(1, Math.ceil(Math.min(remaining, Math.max(jittered, retryAfter ?? 0))));

      await options.onWait?.({ attempt: attempts, delayMs, error });
      await sleep(delayMs);
      slept += delayMs;
    }
  }
}
