import type { ApplicationFunction, Probot } from "probot";
import { BackgroundTasks } from "./background-tasks.js";
import type { PromoterDependencies } from "./dependencies.js";
import { onPullRequestClosed } from "./handlers/on-pull-request-closed.js";
import { onPush } from "./handlers/on-push.js";
import { drainOnSigterm } from "./drain-on-sigterm.js";
import { Pacers } from "./github/pace-content-creation.js";
import { healthHandler } from "./health.js";
import { MAX_WAITING_JOBS, MemoryJobQueue } from "./jobs/job-queue.js";
import { createJobRunner } from "./jobs/run-job.js";
import { reconcileIntervalMs, scheduleSweeps, sweepAllInstallations } from "./jobs/schedule-sweeps.js";

/**
 * The Probot app: builds the queue and the worker, registers handlers (events → jobs) and routes.
 * `createApp` lets tests and the demo pass their own dependencies (a task queue they can await, a
 * zero sleep) and get the sweep as a function (`onStart`); `probot run` uses the default export,
 * which also schedules the sweep (RECONCILE_INTERVAL_SECONDS) and drains on SIGTERM.
 */
export function createApp(overrides: Partial<PromoterDependencies> = {}): ApplicationFunction {
  return (app: Probot, options) => {
    const deps: PromoterDependencies = {
      env: process.env,
      tasks: new BackgroundTasks((error, key) => app.log.error({ err: error, key }, "background task failed")),
      pacers: new Pacers(),
      ...overrides,
    };
    const queue: MemoryJobQueue = new MemoryJobQueue(deps.tasks, createJobRunner(app, deps, () => queue), (job) =>
      app.log.error({ job: job.kind, installation: job.installationId }, `queue full (${MAX_WAITING_JOBS} waiting): job refused; the next sweep finds its work`),
    );
    app.on("push", onPush(deps, queue));
    app.on("pull_request.closed", onPullRequestClosed(deps, queue));
    options.addHandler?.(healthHandler(queue));
    deps.onStart?.({ queue, sweep: () => sweepAllInstallations(app, queue) });
  };
}

/** What `probot run ./dist/index.js` loads: the real dependencies, the sweep schedule, and a drain on SIGTERM. */
const app: ApplicationFunction = (probot, options) => {
  const tasks = new BackgroundTasks((error, key) => probot.log.error({ err: error, key }, "background task failed"));
  const intervalMs = reconcileIntervalMs(process.env);
  drainOnSigterm(tasks, probot.log);
  return createApp({ tasks, onStart: ({ sweep }) => scheduleSweeps(sweep, intervalMs, probot.log) })(probot, options);
};
export default app;
