import type { Context } from "probot";
import type { PromoterDependencies } from "../dependencies.js";
import { CHECK_RUN_NAME, CONFIG_CHECK_RUN_NAME, GATES_CHECK_RUN_NAME, MAIN_CHECK_RUN_NAME, SWEEP_CHECK_RUN_NAME } from "../github/report-check-run.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { Job } from "../jobs/job.schema.js";

type Payload = Context<"check_run.rerequested">["payload"];

/**
 * The "Re-run" button of one of the app's check runs (`check_run.rerequested`, which GitHub sends
 * to the app that created the check run) → the job that made it, again:
 *
 * * `release-promoter` on a tagged commit → promote that tag (its `external_id`), trigger
 *   `rerequested`; the run reports in a new check run, as GitHub expects of a re-run;
 * * `release-promoter/config` → check the config at that commit again, in a new check run;
 * * `release-promoter/sweep` → sweep the installation (its check run changes only if the finding did);
 * * `release-promoter/main` → promote the default branch's head again (a new check run);
 * * `release-promoter/gates` on a promotion PR → re-evaluate that PR's gates.
 *
 * Another app's check run, or one without the tag it was about, is ignored (logged by the caller).
 */
export function jobsForCheckRunRerequested(deps: PromoterDependencies, payload: Payload): Job[] {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return [];
  const run = payload.check_run;
  const appId = Number(deps.env.APP_ID);
  if (Number.isInteger(appId) && run.app?.id !== appId) return [];
  const repository = payload.repository.full_name;
  switch (run.name) {
    case CHECK_RUN_NAME:
      if (!run.external_id) return [];
      return [{ kind: "promote-tag", installationId, repository, tag: run.external_id, trigger: "rerequested", headCommit: run.head_sha, pusher: payload.sender?.login }];
    case CONFIG_CHECK_RUN_NAME:
      return [{ kind: "check-config", installationId, repository, sha: run.head_sha, rerequested: true }];
    case SWEEP_CHECK_RUN_NAME:
      return [{ kind: "sweep-installation", installationId, account: payload.repository.owner.login }];
    case MAIN_CHECK_RUN_NAME:
      return [{ kind: "promote-main", installationId, repository, trigger: "rerequested", headCommit: run.head_sha, pusher: payload.sender?.login }];
    case GATES_CHECK_RUN_NAME: {
      // The PR whose head the check is on (GitHub lists the PRs of the check's head branch).
      const number = run.pull_requests.find((pr) => pr.head.sha === run.head_sha)?.number;
      return number === undefined ? [] : [{ kind: "check-gates", installationId, infra: repository, number }];
    }
    default:
      return [];
  }
}

export function onCheckRunRerequested(deps: PromoterDependencies, queue: JobQueue) {
  return async (context: Context<"check_run.rerequested">): Promise<void> => {
    const jobs = jobsForCheckRunRerequested(deps, context.payload);
    if (jobs.length === 0) {
      context.log.info({ checkRun: context.payload.check_run.name, repository: context.payload.repository.full_name }, "re-run of a check run that is not ours to re-run: ignored");
      return;
    }
    for (const job of jobs) await queue.enqueue(job);
  };
}
