import type { Context } from "probot";
import { isInfraRepository } from "../config/infra-repository.js";
import type { PromoterDependencies } from "../dependencies.js";
import { PROMOTION_BRANCH_PREFIX } from "../github/read-open-promotions.js";
import type { JobQueue } from "../jobs/job-queue.js";

/** `pull_request.closed` of a promotion PR in the infra repository → the promotion-closed job. */
export function onPullRequestClosed(deps: PromoterDependencies, queue: JobQueue) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { payload } = context;
    const installationId = payload.installation?.id;
    if (installationId === undefined || !isInfraRepository(deps.env, payload.repository.full_name)) return;
    if (!payload.pull_request.head.ref.startsWith(PROMOTION_BRANCH_PREFIX)) return;
    await queue.enqueue({ kind: "promotion-closed", installationId, infra: payload.repository.full_name, number: payload.pull_request.number, by: payload.sender?.login });
  };
}
