import type { BackgroundTasks } from "../background-tasks.js";
import { type Job, jobKey } from "./job.schema.js";

/** Where handlers and the sweep put work. The in-process queue is the default; see README, "Operating". */
export interface JobQueue {
  enqueue(job: Job): void;
}

/**
 * The in-process queue: jobs of one key run one after another, other keys side by side (on the
 * BackgroundTasks the drain on SIGTERM waits for). A job's failure is the runner's to report; what
 * escapes it is logged by BackgroundTasks' error handler.
 */
export class MemoryJobQueue implements JobQueue {
  constructor(
    private readonly tasks: BackgroundTasks,
    private readonly runner: (job: Job) => Promise<void>,
  ) {}

  enqueue(job: Job): void {
    void this.tasks.run(jobKey(job), () => this.runner(job));
  }
}
