import type { BackgroundTasks } from "./background-tasks.js";
import type { Pacers } from "./github/pace-content-creation.js";
import type { JobQueue } from "./jobs/job-queue.js";

/** What the app hands back once loaded: its queue, and a sweep of every installation. */
export interface StartedApp {
  queue: JobQueue;
  /** Lists the app's installations and enqueues a sweep of each; resolves once they are queued. */
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
  /** Paces content-creating requests per installation (GitHub's secondary limits). */
  pacers?: Pacers | undefined;
  /** Called once the app is loaded (the default export schedules sweeps from here). */
  onStart?: ((app: StartedApp) => void) | undefined;
}
