import type { BackgroundTasks } from "../background-tasks.js";
import { type Job, jobId, jobKey } from "./job.schema.js";

/** What became of an enqueued job. */
export type Enqueued = "queued" | "coalesced" | "refused";

/** Where handlers and the sweep put work. The in-process queue is the default; see README, "Operating". */
export interface JobQueue {
  /** Resolves once the job is queued (or coalesced, or refused); rejects when the queue cannot take it (Redis unreachable). */
  enqueue(job: Job): Promise<Enqueued>;
  /**
   * Queues `job` to run once `delayMs` have passed (a gate that changes at a known time). With
   * Redis it is a delayed BullMQ job that outlives this process; in memory it is a timer that a
   * restart loses (the next sweep re-evaluates what it would have). Of several calls for one job
   * before it runs, the earliest time wins in memory; Redis keeps one per distinct time.
   */
  enqueueLater(job: Job, delayMs: number): Promise<Enqueued>;
  /** What /healthz reports. */
  stats(): Promise<QueueStats>;
  /**
   * Whether jobs outlive this process (Redis). Only then does a pipeline end a run with RunLater
   * (a delayed job: the image wait, the retries); in memory it waits in process, and what a
   * restart loses is found by the next start's sweep.
   */
  readonly durable: boolean;
}

export interface QueueStats {
  /** "memory", or "redis" with whether Redis answers. */
  backend: "memory" | "redis";
  redis?: "ready" | "unreachable";
  /** Jobs waiting for their key's turn. */
  waiting: number;
  /** Jobs running now. */
  running: number;
  /** Of the waiting jobs, those delayed until a later time (waiting for an image, a retry, a busy key); Redis only. */
  delayed?: number;
  /** Milliseconds the oldest waiting job has waited (0: none waits). */
  oldestWaitingMs: number;
  /** Jobs merged into one already waiting since start. */
  coalesced: number;
}

/**
 * Beyond this many waiting jobs the queue refuses new ones (logged): a reconciler loses nothing by
 * it, since the next sweep finds what a refused job would have done. Identical jobs never count
 * twice, so only that many distinct pieces of work could ever fill it.
 */
export const MAX_WAITING_JOBS = 10_000;

/**
 * A job whose id ran less than this long ago waits out the rest before it runs again. One run
 * already saw (nearly) the state a burst of identical events announces — the same tag delivered
 * many times, a string of pushes to infra — so the burst costs one more run a second, not one per
 * event; the first event of a quiet key still runs at once. Kubernetes' work queues space a
 * key's re-runs the same way.
 */
export const RERUN_SPACING_MS = 1_000;

/** The longest delay a Node timer takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The in-process queue. It coalesces: a job whose id (`jobId`) is already waiting is not queued
 * again (the newest data replaces the waiting one's); a job whose id is running is queued once
 * more, so it runs exactly one more time after it (whatever it saw, the next run sees later
 * state), and not before `RERUN_SPACING_MS` after the previous run of that id started; jobs of
 * one key (`jobKey`) run one after another, other keys side by side, on the BackgroundTasks the
 * drain on SIGTERM waits for (a spaced job's wait included). Memory is bounded by the number of
 * distinct waiting jobs, not by the number of deliveries. A job's failure is the runner's to
 * report; what escapes it is logged by BackgroundTasks' error handler.
 */
export class MemoryJobQueue implements JobQueue {
  readonly durable = false;
  private readonly waiting = new Map<string, { job: Job; since: number }>();
  /** When each recently run id last started (entries older than the spacing are pruned). */
  private readonly lastStarts = new Map<string, number>();
  private runningCount = 0;
  private coalescedCount = 0;

  constructor(
    private readonly tasks: BackgroundTasks,
    private readonly runner: (job: Job) => Promise<void>,
    private readonly onRefused: (job: Job) => void = () => {},
    private readonly limit: number = MAX_WAITING_JOBS,
    private readonly spacing: { ms: number; now: () => number; sleep: (ms: number) => Promise<void> } = {
      ms: RERUN_SPACING_MS,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
  ) {}

  async enqueue(job: Job): Promise<Enqueued> {
    return this.enqueueNow(job);
  }

  /** Timers of enqueueLater, by job id: when each is due. */
  private readonly later = new Map<string, { due: number; timer: NodeJS.Timeout }>();

  async enqueueLater(job: Job, delayMs: number): Promise<Enqueued> {
    const id = jobId(job);
    const due = Date.now() + Math.max(0, delayMs);
    const pending = this.later.get(id);
    if (pending !== undefined && pending.due <= due) return "coalesced";
    if (pending !== undefined) clearTimeout(pending.timer);
    // setTimeout takes at most 2^31-1 ms (24.8 days); a later time is re-scheduled by the run it triggers.
    const timer = setTimeout(() => {
      this.later.delete(id);
      this.enqueueNow(job);
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
    // A timer does not keep the process alive, nor does the drain on SIGTERM wait for it.
    timer.unref();
    this.later.set(id, { due, timer });
    return "queued";
  }

  /** The same, synchronously (the in-process queue never waits). */
  enqueueNow(job: Job): Enqueued {
    const id = jobId(job);
    const waiting = this.waiting.get(id);
    if (waiting !== undefined) {
      waiting.job = job;
      this.coalescedCount++;
      return "coalesced";
    }
    if (this.waiting.size >= this.limit) {
      this.onRefused(job);
      return "refused";
    }
    this.waiting.set(id, { job, since: this.spacing.now() });
    const key = jobKey(job);
    const run = async () => {
      const entry = this.waiting.get(id)!;
      this.waiting.delete(id);
      this.started(id);
      this.runningCount++;
      try {
        await this.runner(entry.job);
      } finally {
        this.runningCount--;
      }
    };
    const last = this.lastStarts.get(id);
    const waitMs = last === undefined ? 0 : last + this.spacing.ms - this.spacing.now();
    if (waitMs <= 0) void this.tasks.run(key, run);
    // The wait is a task of its own (not on the key, which other jobs may need meanwhile), so idle() and the drain see it.
    else void this.tasks.run(`spacing ${id}`, async () => {
      await this.spacing.sleep(waitMs);
      void this.tasks.run(key, run);
    });
    return "queued";
  }

  private started(id: string): void {
    const now = this.spacing.now();
    this.lastStarts.delete(id);
    this.lastStarts.set(id, now);
    // Oldest first in a Map's order: drop what no longer spaces anything.
    for (const [other, at] of this.lastStarts) {
      if (at + this.spacing.ms > now) break;
      this.lastStarts.delete(other);
    }
  }

  async stats(): Promise<QueueStats> {
    const oldest = this.waiting.values().next().value;
    return { backend: "memory", waiting: this.waiting.size, running: this.runningCount, oldestWaitingMs: oldest === undefined ? 0 : Date.now() - oldest.since, coalesced: this.coalescedCount };
  }
}
