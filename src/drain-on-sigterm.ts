import type { Logger } from "probot";
import type { BackgroundTasks } from "./background-tasks.js";

/**
 * On SIGTERM (docker stop, Kubernetes), let promotions in flight finish — within a grace
 * period shorter than the usual 30 s kill timeout — then exit. Promotions still waiting for
 * an image after that are lost, as on any restart: their check run stays "in progress".
 */
export function drainOnSigterm(
  tasks: BackgroundTasks,
  log: Logger,
  options: { graceMs?: number; signals?: NodeJS.EventEmitter; exit?: (code: number) => void } = {},
): void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const graceMs = options.graceMs ?? 25_000;
  signals.once("SIGTERM", () => {
    log.info({ promotionsInFlight: tasks.size }, "SIGTERM: finishing promotions in flight");
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    void Promise.race([tasks.idle(), grace]).then(() => {
      clearTimeout(timer);
      if (tasks.size > 0) log.warn({ promotionsInFlight: tasks.size }, "exiting with promotions unfinished");
      exit(0);
    });
  });
}
