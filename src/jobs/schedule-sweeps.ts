import type { Logger, Probot } from "probot";
import type { JobQueue } from "./job-queue.js";

export const DEFAULT_RECONCILE_INTERVAL_SECONDS = 600;

/** RECONCILE_INTERVAL_SECONDS (default 600; 0 turns the sweep off) in milliseconds. Throws on anything else. */
export function reconcileIntervalMs(env: Record<string, string | undefined>): number {
  const raw = env.RECONCILE_INTERVAL_SECONDS?.trim();
  if (raw === undefined || raw === "") return DEFAULT_RECONCILE_INTERVAL_SECONDS * 1000;
  if (!/^\d+$/.test(raw)) {
    throw new Error(`RECONCILE_INTERVAL_SECONDS must be a whole number of seconds (0 turns the sweep off), not ${JSON.stringify(raw)}`);
  }
  return Number(raw) * 1000;
}

/**
 * Lists the app's installations (GET /app/installations with the app's JWT) and enqueues one
 * sweep job per installation. The sweep job reads that installation's state and enqueues the
 * promotions that are missing (src/pipelines/sweep.ts).
 */
export async function sweepAllInstallations(app: Probot, queue: JobQueue): Promise<void> {
  const octokit = await app.auth();
  const installations = await octokit.paginate("GET /app/installations", { per_page: 100 });
  app.log.info({ installations: installations.length }, "sweep started");
  for (const installation of installations) {
    if (installation.suspended_at) continue;
    const account = installation.account && "login" in installation.account ? installation.account.login : undefined;
    if (account === undefined) continue;
    await queue.enqueue({ kind: "sweep-installation", installationId: installation.id, account });
  }
}

/** A sweep at start-up and every `intervalMs` (none when 0). Timers never keep the process alive. */
export function scheduleSweeps(sweep: () => Promise<void>, intervalMs: number, log: Logger): void {
  if (intervalMs === 0) {
    log.info("RECONCILE_INTERVAL_SECONDS=0: no sweeps; only webhooks trigger work");
    return;
  }
  const once = () => {
    sweep().catch((error: unknown) => log.error({ err: error }, "sweep failed to start; the next one retries"));
  };
  setTimeout(once, 0).unref();
  setInterval(once, intervalMs).unref();
}
