import type { Probot } from "probot";
import type { PromoterDependencies } from "../dependencies.js";
import type { Octokit } from "../github/octokit.js";
import { checkConfig } from "../pipelines/check-config.js";
import { commentCommand } from "../pipelines/comment-command.js";
import { promoteTag } from "../pipelines/promote-tag.js";
import { promoteMain } from "../pipelines/promote-main.js";
import { checkGates } from "../pipelines/check-gates.js";
import { promotionClosed } from "../pipelines/promotion-closed.js";
import { refreshPromotions } from "../pipelines/refresh-promotions.js";
import { sweepInstallation } from "../pipelines/sweep.js";
import { tagChanged } from "../pipelines/tag-changed.js";
import type { Run } from "../pipelines/run.js";
import type { Job } from "./job.schema.js";
import type { JobQueue } from "./job-queue.js";
import { sweepAllInstallations } from "./schedule-sweeps.js";
import { isContentCreating } from "../github/pace-content-creation.js";
import type { Metrics } from "../metrics.js";

/** Every answer (or failure) of this Octokit in the metrics; a read the client retries counts once. */
function countRequests(octokit: Octokit, metrics: Metrics): void {
  const kind = (options: unknown) => (isContentCreating(options as Parameters<typeof isContentCreating>[0]) ? "write" : "read");
  octokit.hook.after("request", (response, options) => metrics.githubRequest(kind(options), response.status, response.headers as Record<string, unknown>));
  octokit.hook.error("request", (error, options) => {
    const failed = error as { status?: number; response?: { headers?: Record<string, unknown> } };
    metrics.githubRequest(kind(options), failed.status === 500 && failed.response === undefined ? undefined : failed.status, failed.response?.headers);
    throw error;
  });
}

/**
 * The worker: a job (plain data) → the installation's Octokit (Probot caches its token) and a
 * logger with the job's fields → the pipeline. Every pipeline reports its own failures; what
 * escapes one is a bug, logged by the queue.
 */
export function createJobRunner(app: Probot, deps: PromoterDependencies, queue: () => JobQueue) {
  return async (job: Job): Promise<void> => {
    if (job.kind === "sweep-all") return sweepAllInstallations(app, queue());
    const octokit = (await app.auth(job.installationId)) as Octokit;
    deps.pacers?.for(job.installationId).install(octokit);
    if (deps.metrics !== undefined) countRequests(octokit, deps.metrics);
    const run: Run = { octokit, log: app.log.child({ job: job.kind, installation: job.installationId }), deps, queue: queue(), installationId: job.installationId };
    switch (job.kind) {
      case "promote-tag":
        return promoteTag(run, job);
      case "promote-main":
        return promoteMain(run, job);
      case "check-gates":
        return checkGates(run, job);
      case "tag-changed":
        return tagChanged(run, job);
      case "refresh-promotions":
        return refreshPromotions(run, job);
      case "promotion-closed":
        return promotionClosed(run, job);
      case "check-config":
        return checkConfig(run, job);
      case "sweep-installation":
        return sweepInstallation(run, job);
      case "comment-command":
        return commentCommand(run, job);
    }
  };
}
