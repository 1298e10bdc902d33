import type { Context } from "probot";
import { isInfraRepository } from "../config/infra-repository.js";
import { CONFIG_PATH } from "../config/parse-config.js";
import type { Job } from "../jobs/job.schema.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { PromoterDependencies } from "../dependencies.js";

const ZERO = /^0{40}$/;

/**
 * `push` → jobs; answers at once. A tag created → promote it; a tag deleted or moved → the
 * tag-changed job (close its PR; a moved tag is refused). A push to the infra repository: its
 * default branch → refresh the open promotion PRs; any branch that may have changed the config →
 * check it. Nothing here reads GitHub.
 */
export function onPush(deps: PromoterDependencies, queue: JobQueue) {
  return async (context: Context<"push">): Promise<void> => {
    for (const job of jobsForPush(deps, context.payload)) await queue.enqueue(job);
  };
}

export function jobsForPush(deps: PromoterDependencies, payload: Context<"push">["payload"]): Job[] {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return [];
  const repository = payload.repository.full_name;
  if (payload.ref.startsWith("refs/tags/")) {
    const tag = payload.ref.slice("refs/tags/".length);
    if (payload.deleted) return [{ kind: "tag-changed", installationId, repository, tag, change: "deleted" }];
    // GitHub marks a new tag `created`; a tag pushed again at another commit is not created (and forced).
    if (!payload.created && !ZERO.test(payload.before) && payload.before !== payload.after) {
      return [{ kind: "tag-changed", installationId, repository, tag, change: "moved", commit: payload.head_commit?.id ?? undefined }];
    }
    return [
      {
        kind: "promote-tag",
        installationId,
        repository,
        tag,
        trigger: "push",
        headCommit: payload.head_commit?.id ?? undefined,
        pusher: payload.sender?.login ?? payload.pusher.name ?? undefined,
      },
    ];
  }
  if (!payload.ref.startsWith("refs/heads/") || payload.deleted || !isInfraRepository(deps.env, repository)) return [];
  const jobs: Job[] = [];
  if (payload.ref === `refs/heads/${payload.repository.default_branch}`) jobs.push({ kind: "refresh-promotions", installationId, infra: repository });
  if (mayChangeConfig(payload)) jobs.push({ kind: "check-config", installationId, repository, sha: payload.after });
  return jobs;
}

/** Whether the push may have changed the config: named in a commit's files, or GitHub's list is incomplete (20+ commits, forced). */
function mayChangeConfig(payload: Context<"push">["payload"]): boolean {
  if (payload.forced || payload.commits.length === 0 || payload.commits.length >= 20) return true;
  return payload.commits.some((commit) => [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].includes(CONFIG_PATH));
}
