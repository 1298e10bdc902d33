import { DelayedError, type Job as BullJob, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "probot";
import { Mutex } from "redis-semaphore";
import type { Enqueued, JobQueue, QueueStats } from "./job-queue.js";
import { type Job, jobId, jobKey, jobSchema } from "./job.schema.js";
import { RunLater } from "./run-later.js";

export const QUEUE_NAME = "release-promoter";
/** The job scheduler that runs the sweep: one tick, one job, one replica. */
export const SWEEP_SCHEDULER_ID = "sweep-all-installations";

export interface RedisQueueOptions {
  /** Jobs one replica runs at a time (other keys side by side; one job per key across replicas). */
  concurrency?: number;
  /** How long a job whose key another replica holds waits before trying again. */
  keyBusyDelayMs?: number;
  /** A key's lock expires this long after its holder stops refreshing it (a replica that died). */
  keyLockMs?: number;
  /** How long enqueue waits for Redis before the delivery is refused. */
  enqueueTimeoutMs?: number;
  /** How long close() waits for BullMQ's worker and queue to close before it disconnects them. */
  closeTimeoutMs?: number;
  /** BullMQ key prefix (tests give each run its own). */
  prefix?: string;
}

/**
 * The queue when `REDIS_URL` is set: every replica enqueues into and works from one BullMQ queue.
 *
 * - **One job per piece of work.** BullMQ's deduplication with the job's id (`jobId`) and
 *   `keepLastIfActive`: the same work enqueued twice, or by two replicas, is one waiting job; the
 *   same work arriving while it runs is run exactly once more after it (with the newest data).
 * - **One job per key at a time, across replicas** (never two writers on one promotion branch): a
 *   worker takes the key's Redis mutex (`redis-semaphore`, refreshed while the job runs, expiring
 *   when its holder dies); a job whose key is held elsewhere is moved back to delayed for
 *   `keyBusyDelayMs` (BullMQ's DelayedError), not run beside it.
 * - **Waits are delayed jobs.** A pipeline that must wait (for its image, before a retry) throws
 *   RunLater; the worker stores the job's new data and moves it to BullMQ's delayed set, so it
 *   holds no worker slot and no key meanwhile, and whichever replica is alive when it is due runs it.
 * - **A dead replica loses nothing.** A job whose worker stops renewing its BullMQ lock (SIGKILL,
 *   OOM) is stalled, and BullMQ moves it back to waiting for another worker.
 * - **The sweep is a BullMQ job scheduler** (`every` RECONCILE_INTERVAL_SECONDS): each tick adds
 *   one job, which one replica runs.
 * - **Redis down:** ioredis reconnects by itself. Jobs already in Redis stay there. A delivery that
 *   arrives meanwhile is refused (enqueue fails after `enqueueTimeoutMs`, the webhook is answered
 *   with an error status, and GitHub shows the delivery as failed; it can be redelivered, and the
 *   next sweep after Redis is back finds its work anyway). It is not buffered in memory, so an
 *   outage cannot grow the process until it is killed.
 */
export class RedisJobQueue implements JobQueue {
  readonly durable = true;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private readonly producer: Redis;
  private readonly locks: Redis;
  private readonly options: Required<RedisQueueOptions>;
  private running = 0;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    options: RedisQueueOptions = {},
  ) {
    this.options = { concurrency: 8, keyBusyDelayMs: 1_000, keyLockMs: 20_000, enqueueTimeoutMs: 5_000, closeTimeoutMs: 10_000, prefix: "bull", ...options };
    // The producer fails fast while Redis is away (no offline queue), so a delivery is refused rather than held in memory.
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.locks = new Redis(url, { maxRetriesPerRequest: null });
    for (const client of [this.producer, this.locks]) client.on("error", (error: Error) => this.log.debug({ err: error }, "redis connection error"));
    this.queue = new Queue(QUEUE_NAME, {
      connection: this.producer,
      prefix: this.options.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
    });
    this.queue.on("error", (error: Error) => this.log.warn({ err: error }, "redis queue error"));
  }

  async enqueue(job: Job): Promise<Enqueued> {
    return this.add(job, 0);
  }

  async enqueueLater(job: Job, delayMs: number): Promise<Enqueued> {
    return this.add(job, Math.max(0, Math.ceil(delayMs)));
  }

  private async add(job: Job, delayMs: number): Promise<Enqueued> {
    // A delayed job has an id of its own per due second: it never stands in for (or is dropped beside) the job due now.
    const id = delayMs === 0 ? jobId(job) : `${jobId(job)}:at:${Math.ceil((Date.now() + delayMs) / 1000)}`;
    const add = this.queue.add(job.kind, job, { deduplication: { id, keepLastIfActive: true }, ...(delayMs === 0 ? {} : { delay: delayMs }) });
    // If the timeout wins, a later rejection of the add must not become an unhandled rejection.
    add.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not take job ${id} within ${this.options.enqueueTimeoutMs} ms`)), this.options.enqueueTimeoutMs);
    });
    try {
      await Promise.race([add, timeout]);
      // BullMQ does not say whether the add was deduplicated; "coalesced" is counted in memory mode only.
      return "queued";
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts working from the queue with `runner` (one call per replica). */
  start(runner: (job: Job) => Promise<void>): void {
    const { concurrency, keyBusyDelayMs, keyLockMs, prefix } = this.options;
    this.worker = new Worker(
      QUEUE_NAME,
      async (bullJob: BullJob, token?: string) => {
        const job = jobSchema.parse(bullJob.data);
        const mutex = new Mutex(this.locks, `${prefix}:${QUEUE_NAME}:key:${jobKey(job)}`, {
          lockTimeout: keyLockMs,
          // One attempt: a busy key sends the job back to delayed instead of holding a worker slot while it waits.
          acquireAttemptsLimit: 1,
          refreshInterval: Math.floor(keyLockMs / 3),
          onLockLost: (error) => this.log.error({ err: error, key: jobKey(job) }, "lost the key's lock while the job ran"),
        });
        if (!(await mutex.tryAcquire())) {
          await bullJob.moveToDelayed(Date.now() + keyBusyDelayMs, token);
          throw new DelayedError();
        }
        this.running++;
        try {
          await runner(job);
        } catch (error) {
          if (!(error instanceof RunLater)) throw error;
          // The same job, carrying its new state, delayed in Redis: no worker slot and no key held while it waits.
          await bullJob.updateData(error.job);
          await bullJob.moveToDelayed(Date.now() + error.delayMs, token);
          this.log.info({ key: jobKey(job), delayMs: error.delayMs, reason: error.reason }, "job delayed");
          throw new DelayedError();
        } finally {
          this.running--;
          await mutex.release().catch((error: unknown) => this.log.warn({ err: error }, "could not release the key's lock; it expires by itself"));
        }
      },
      {
        connection: (this.workerConnection = new Redis(this.url, { maxRetriesPerRequest: null })),
        prefix,
        concurrency,
        // A worker that dies stops renewing its job lock; once it lapses, the next stalled-job check
        // (every half lock) marks the job and the one after moves it back to waiting: taken over
        // within about two lock durations of the death.
        lockDuration: keyLockMs,
        stalledInterval: Math.floor(keyLockMs / 2),
        maxStalledCount: 3,
      },
    );
    this.worker.on("error", (error: Error) => this.log.warn({ err: error }, "redis worker error"));
    this.worker.on("failed", (bullJob, error) => this.log.error({ err: error, job: bullJob?.name }, "job failed"));
  }

  /** The sweep as one job scheduler across replicas: upserting it again (another replica, a restart) keeps one schedule. */
  async scheduleSweeps(intervalMs: number): Promise<void> {
    if (intervalMs === 0) {
      await this.queue.removeJobScheduler(SWEEP_SCHEDULER_ID);
      return;
    }
    await this.queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: intervalMs }, { name: "sweep-all", data: { kind: "sweep-all" } });
  }

  async stats(): Promise<QueueStats> {
    try {
      const counts = await this.queue.getJobCounts("waiting", "delayed", "prioritized", "active");
      const [oldest] = await this.queue.getJobs(["waiting"], 0, 0, true);
      return {
        backend: "redis",
        redis: "ready",
        waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
        running: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        oldestWaitingMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest.timestamp),
        coalesced: 0,
      };
    } catch {
      return { backend: "redis", redis: "unreachable", waiting: 0, running: 0, oldestWaitingMs: 0, coalesced: 0 };
    }
  }

  /** Jobs this replica runs now. */
  get size(): number {
    return this.running;
  }

  /**
   * Stops taking jobs and resolves once the running ones have finished (the drain on SIGTERM races
   * this against its grace period). Whatever is not running stays in Redis for the other replicas.
   */
  async idle(): Promise<void> {
    await this.worker?.close();
  }

  /**
   * Stops working and disconnects from Redis, within `closeTimeoutMs` even when BullMQ's own close
   * does not resolve (it can wait forever for a connection that went through a Redis restart:
   * taskforcesh/bullmq#4656). Whatever a forced close leaves running is taken over by another
   * replica once its lock lapses, as after a crash.
   */
  async close(): Promise<void> {
    const { closeTimeoutMs } = this.options;
    if (!(await within(this.idle(), closeTimeoutMs))) {
      this.log.warn({ promotionsInFlight: this.running, closeTimeoutMs }, "the queue's worker did not close in time; disconnecting it");
      void this.worker?.close(true).catch(() => {});
    }
    if (!(await within(this.queue.close(), closeTimeoutMs))) this.log.warn({ closeTimeoutMs }, "the queue did not close in time; disconnecting it");
    // Connections passed to BullMQ are ours to end (it closes only those it made itself).
    for (const client of [this.workerConnection, this.producer, this.locks]) client?.disconnect();
  }
}

/** Whether `work` settled within `ms` (a rejection counts as settled: there is nothing left to wait for). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
