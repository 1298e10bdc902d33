import type { BackgroundTasks } from "./background-tasks.js";
import type { ConfigCache } from "./config/config-cache.js";
import type { Pacers } from "./github/pace-content-creation.js";
import type { JobQueue } from "./jobs/job-queue.js";
import type { Metrics } from "./metrics.js";
import type { RedisQueueOptions } from "./jobs/redis-queue.js";

/** What the app hands back once loaded: its queue, and a sweep of every installation. */
export interface StartedApp {
  queue: JobQueue;
  /** Enqueues a sweep of every installation (the sweep-all job); resolves once it is queued. */
  sweep(): Promise<void>;
}

/**
 * What the app takes from its surroundings. `src/index.ts` builds the real ones; tests pass
 * their own (a zero sleep, a task queue they can await). There is no test-only code path:
 * the same handlers run either way.
 */
export interface PromoterDependencies {
  env: Record<string, string | undefined>;
  tasks: BackgroundTasks;
  fetch?: typeof fetch | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Backoff bounds for registry waits (the total comes from the config's imageWaitSeconds). */
  registryWait?: { initialDelayMs?: number; maxDelayMs?: number } | undefined;
  /** The last parsed config per infra repository, valid for its blob oid (config/config-cache.ts). */
  configCache?: ConfigCache | undefined;
  /** Paces content-creating requests per installation (GitHub's secondary limits). */
  pacers?: Pacers | undefined;
  /** Settings of the BullMQ queue when REDIS_URL is set (tests shorten its delays and give it its own prefix). */
  redisQueue?: RedisQueueOptions | undefined;
  /** The clock of what is cached by time (the status page's 30 s); tests move it. */
  now?: (() => number) | undefined;
  /** Prometheus metrics served at /metrics (src/metrics.ts); createApp makes one per app. */
  metrics?: Metrics | undefined;
  /** Called once the app is loaded (the default export schedules sweeps from here). */
  onStart?: ((app: StartedApp) => void) | undefined;
}
