import type { ApplicationFunction, Logger, Probot } from "probot";
import { BackgroundTasks } from "./background-tasks.js";
import { ConfigCache } from "./config/config-cache.js";
import type { PromoterDependencies } from "./dependencies.js";
import { proxyFetchFromEnv } from "./http/proxy-fetch.js";
import { onCheckRunRerequested } from "./handlers/on-check-run-rerequested.js";
import { onPullRequestClosed } from "./handlers/on-pull-request-closed.js";
import { rootWebhookHandler } from "./root-webhooks.js";
import { onPush } from "./handlers/on-push.js";
import { drainOnSigterm } from "./drain-on-sigterm.js";
import { Pacers } from "./github/pace-content-creation.js";
import { healthHandler } from "./health.js";
import { statusHandler } from "./status/status-handler.js";
import { onIssueComment } from "./handlers/on-issue-comment.js";
import { Metrics, metricsHandler } from "./metrics.js";
import { type JobQueue, MAX_WAITING_JOBS, MemoryJobQueue } from "./jobs/job-queue.js";
import type { RedisJobQueue } from "./jobs/redis-queue.js";
import { createJobRunner } from "./jobs/run-job.js";
import { reconcileIntervalMs, scheduleSweeps } from "./jobs/schedule-sweeps.js";

/**
 * The Probot app: builds the queue and the worker, registers handlers (events → jobs) and routes.
 * `createApp` lets tests and the demo pass their own dependencies (a task queue they can await, a
 * zero sleep) and get the sweep as a function (`onStart`); `npm start` (src/main.ts, through Probot's `run()`) loads the default export,
 * which also schedules the sweep (RECONCILE_INTERVAL_SECONDS) and drains on SIGTERM.
 *
 * The queue is in memory unless `REDIS_URL` is set (the variable Probot already reads for its
 * throttling): then every replica works from one BullMQ queue (src/jobs/redis-queue.ts).
 */
export function createApp(overrides: Partial<PromoterDependencies> = {}): ApplicationFunction {
  return (app: Probot, options) => {
    const env = overrides.env ?? process.env;
    const redisUrl = env.REDIS_URL?.trim();
    const base = {
      env,
      tasks: new BackgroundTasks((error, key) => app.log.error({ err: error, key }, "background task failed")),
      configCache: new ConfigCache(),
      // Registries and the npm registry through HTTPS_PROXY/HTTP_PROXY when set (http/proxy-fetch.ts).
      fetch: proxyFetchFromEnv(env),
      ...overrides,
      metrics: overrides.metrics ?? new Metrics(),
    };
    /** Registers the handlers and routes on `queue`, which runs its jobs with `deps`. */
    const wire = (deps: PromoterDependencies, makeQueue: (runner: ReturnType<typeof createJobRunner>) => JobQueue): void => {
      let queue: JobQueue | undefined;
      const runner = createJobRunner(app, deps, () => queue!);
      queue = makeQueue(runner);
      app.on("push", onPush(deps, queue));
      app.on("pull_request.closed", onPullRequestClosed(deps, queue));
      app.on("check_run.rerequested", onCheckRunRerequested(deps, queue));
      app.on("issue_comment.created", onIssueComment(deps, queue));
      options.addHandler?.(healthHandler(queue));
      options.addHandler?.(statusHandler(app, deps));
      deps.metrics?.watch(queue);
      if (deps.metrics !== undefined) options.addHandler?.(metricsHandler(deps.metrics));
      options.addHandler?.(rootWebhookHandler(app));
      deps.onStart?.({ queue, sweep: async () => void (await queue.enqueue({ kind: "sweep-all" })) });
    };
    if (!redisUrl) {
      const deps: PromoterDependencies = { ...base, pacers: overrides.pacers ?? new Pacers({}) };
      wire(deps, (runner) =>
        new MemoryJobQueue(deps.tasks, runner, (job) =>
          app.log.error({ job: job.kind }, `queue full (${MAX_WAITING_JOBS} waiting): job refused; the next sweep finds its work`),
        ),
      );
      return;
    }
    // BullMQ, ioredis and Bottleneck are loaded only when REDIS_URL is set: a single process keeps their memory.
    return (async () => {
      const [{ Redis }, { RedisSpacing }, { RedisJobQueue }] = await Promise.all([import("ioredis"), import("./github/redis-spacing.js"), import("./jobs/redis-queue.js")]);
      // The pacer's spacing is shared by every replica (GitHub counts per installation); built only
      // when the caller brings none, so no Redis connection is opened for nothing.
      const pacers =
        overrides.pacers ??
        new Pacers({ shared: new RedisSpacing(new Redis(redisUrl, { maxRetriesPerRequest: null }), "release-promoter", (error) => app.log.warn({ err: error }, "redis pacer error")) });
      wire({ ...base, pacers }, (runner) => {
        const redis = new RedisJobQueue(redisUrl, app.log, base.redisQueue);
        redis.start(runner);
        return redis;
      });
    })();
  };
}

/** What src/main.ts (and `probot run ./dist/index.js`) loads: the real dependencies, the sweep schedule, and a drain on SIGTERM. */
const app: ApplicationFunction = (probot, options) => {
  const tasks = new BackgroundTasks((error, key) => probot.log.error({ err: error, key }, "background task failed"));
  const intervalMs = reconcileIntervalMs(process.env);
  return createApp({
    tasks,
    onStart: ({ queue, sweep }) => {
      if (queue.durable) {
        const redis = queue as RedisJobQueue;
        scheduleRedisSweeps(redis, intervalMs, probot.log);
        drainOnSigterm(redis, probot.log);
      } else {
        scheduleSweeps(sweep, intervalMs, probot.log);
        drainOnSigterm(tasks, probot.log);
      }
    },
  })(probot, options);
};
export default app;

function scheduleRedisSweeps(queue: RedisJobQueue, intervalMs: number, log: Logger): void {
  queue.scheduleSweeps(intervalMs).then(
    () => log.info({ intervalMs }, intervalMs === 0 ? "RECONCILE_INTERVAL_SECONDS=0: no sweeps" : "sweep scheduled in Redis (one replica runs each tick)"),
    (error: unknown) => log.error({ err: error }, "could not schedule the sweep in Redis; the next start retries"),
  );
}

