import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

/**
 * Probot's Octokit, with throttling that keeps honouring GitHub's rate limits but no longer spaces
 * requests. Probot's default puts every write *and every `/graphql` request* — queries included —
 * through one limiter per installation, 1 s apart: most of a promotion's tag-to-PR time was spent
 * waiting in it. Here that limiter has no spacing; the app's own pacer
 * (pace-content-creation.ts) stays the one place that spaces and serialises what GitHub's
 * secondary limits count (REST writes, GraphQL mutations). Reads run at the speed of the network.
 *
 * Rate-limit answers are still waited out and retried: a primary limit (the quota is spent) up to
 * twice if the reset is at most `MAX_RETRY_AFTER_SECONDS` away, a secondary limit (Probot's
 * default only logs it and fails) likewise; beyond that the request fails and the app reports
 * `github_rate_limited` (with Redis, the job is retried later).
 */
export const MAX_RATE_LIMIT_RETRIES = 2;
export const MAX_RETRY_AFTER_SECONDS = 60;

/** The write/GraphQL group the throttling plugin schedules through: unlimited and unspaced. */
const unspaced = new Bottleneck.Group({ id: "release-promoter-unspaced", maxConcurrent: null, minTime: 0 });

interface ThrottleLog {
  warn(message: string): void;
}
type RetryDecision = (retryAfter: number, options: { method: string; url: string; request: { retryCount: number } }, octokit: { log: ThrottleLog }) => boolean;

const retryWithin =
  (kind: string): RetryDecision =>
  (retryAfter, options, octokit) => {
    const retry = options.request.retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_RETRY_AFTER_SECONDS;
    octokit.log.warn(`${kind} rate limit hit with "${options.method} ${options.url}": ${retry ? `retrying in ${retryAfter} s` : "giving up"}.`);
    return retry;
  };

type OctokitOptions = Record<string, unknown> & { throttle?: Record<string, unknown> };

/** Passed to Probot's `run()` by src/main.ts; Probot's options (auth, log, Redis clustering) are kept. */
export const AppOctokit = ProbotOctokit.defaults((options: OctokitOptions) => ({
  ...options,
  throttle: {
    ...options.throttle,
    // With REDIS_URL Probot clusters this throttling's Bottleneck state in Redis. After a Redis
    // restart its calls can fail with ERR UNKNOWN_CLIENT, and the requests behind them with it
    // (the replicas test's Redis restart lost two promotions, as internal_error). Nothing it would share is
    // needed across replicas: writes are spaced by the app's pacer, whose spacing is shared in Redis
    // (redis-spacing.ts). So the throttling state stays in process.
    connection: undefined,
    write: unspaced,
    onRateLimit: retryWithin("Primary"),
    onSecondaryRateLimit: retryWithin("Secondary"),
  },
})) as typeof ProbotOctokit;
