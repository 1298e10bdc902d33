import type { Logger } from "probot";
import type { PromoterDependencies } from "../dependencies.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { Octokit } from "../github/octokit.js";

/**
 * What a pipeline step runs with: the installation's Octokit, a logger with the job's fields, the
 * app's dependencies and the queue (a sweep enqueues promotions). Never a webhook Context.
 */
export interface Run {
  octokit: Octokit;
  log: Logger;
  deps: PromoterDependencies;
  queue: JobQueue;
  installationId: number;
}
