import type { Logger } from "probot";

/** What a drain waits for: the in-memory BackgroundTasks, or the BullMQ worker of a replica. */
export interface Drainable {
  /** Resolves once the jobs running now have finished (and, for a queue, it takes no new ones). */
  idle(): Promise<void>;
  /** Jobs still running (or, in memory, waiting) for the log lines. */
  readonly size: number;
}

/**
 * On SIGTERM (docker stop, Kubernetes), let jobs in flight finish — within a grace period
 * shorter than the usual 30 s kill timeout — then exit. In memory, what is still waiting after
 * that is lost with the process and found again by the next start's sweep; with Redis it stays
 * in Redis for the other replicas (a job still running is taken over once its lock lapses).
 */
export function drainOnSigterm(
  work: Drainable,
  log: Logger,
  options: { graceMs?: number; signals?: NodeJS.EventEmitter; exit?: (code: number) => void } = {},
): void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const graceMs = options.graceMs ?? 25_000;
  signals.once("SIGTERM", () => {
    log.info({ promotionsInFlight: work.size }, "SIGTERM: finishing promotions in flight");
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    void Promise.race([work.idle(), grace]).then(() => {
      clearTimeout(timer);
      if (work.size > 0) log.warn({ promotionsInFlight: work.size }, "exiting with promotions unfinished");
      exit(0);
    });
  });
}
