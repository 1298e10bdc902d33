import type { BackgroundTasks } from "./background-tasks.js";
import type { Pacers } from "./github/pace-content-creation.js";

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
}
