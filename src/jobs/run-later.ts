import type { Job } from "./job.schema.js";

/**
 * Thrown by a pipeline (only when its queue is durable, `JobQueue.durable`) to end this run and
 * have the queue run `job` — the same work, with the state it carries forward — again after
 * `delayMs`. With Redis this is a BullMQ delayed job: it holds no worker slot and no key while it
 * waits, and a restart or a dead replica does not lose it.
 */
export class RunLater extends Error {
  constructor(
    readonly job: Job,
    readonly delayMs: number,
    readonly reason: string,
  ) {
    super(`run again in ${delayMs} ms: ${reason}`);
    this.name = "RunLater";
  }
}
