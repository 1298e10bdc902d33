import { infraRepositoryFor } from "../config/infra-repository.js";
import { parseConfig } from "../config/parse-config.js";
import { reportRefusal } from "../core/check-report.js";
import { resemblesReleaseTag } from "../core/parse-tag.js";
import { isPromoterError } from "../errors.js";
import { closePullRequestWithComment } from "../github/close-pull-request.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { readOpenPromotions } from "../github/read-open-promotions.js";
import { createCheckRun } from "../github/report-check-run.js";
import type { JobOf } from "../jobs/job.schema.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

/**
 * A release tag was deleted or moved → every open promotion PR of that tag is closed with a
 * comment; a moved tag is also refused on the commit it names now (`tag_moved`): a moved release
 * tag is a security signal, not a new release, and it is never promoted (the promotion path
 * refuses it too, from the PR records). One read, then one write per PR closed (and the check run).
 */
export async function tagChanged(run: Run, job: JobOf<"tag-changed">): Promise<void> {
  const log = run.log.child({ repository: job.repository, tag: job.tag, change: job.change });
  const source = splitRepository(job.repository);
  try {
    const infra = await readOpenPromotions(run.octokit, infraRepositoryFor(run.deps.env, source.owner));
    const config = infra.configText === undefined ? undefined : parseConfig(infra.configText);
    const owned = config !== undefined && Object.values(config.services).some((service) => service.repository.toLowerCase() === job.repository.toLowerCase());
    if (!owned && !resemblesReleaseTag(job.tag)) return;
    const affected = infra.promotions.filter(
      (pr) => pr.record.kind === "record" && pr.record.record.tag === job.tag && pr.record.record.repository.toLowerCase() === job.repository.toLowerCase(),
    );
    const what =
      job.change === "deleted"
        ? `${job.tag} was deleted from ${job.repository}`
        : `${job.tag} was moved in ${job.repository} to commit ${job.commit?.slice(0, 12) ?? "(unknown)"}; a moved release tag is never promoted`;
    for (const pr of affected) {
      await closePullRequestWithComment(run.octokit, pr, `Closed by release-promoter: ${what}. Push a new version tag to promote again.`);
      log.info({ pr: pr.number }, "promotion PR closed: its tag changed");
    }
    if (job.change === "moved" && job.commit !== undefined) {
      const reason = `${what}. Nothing was changed${affected.length > 0 ? `; ${affected.map((pr) => `PR #${pr.number}`).join(", ")} closed` : ""}. Push a new version tag for this commit.`;
      await createCheckRun(run.octokit, source, job.commit, job.tag, { status: "completed", ...reportRefusal(job.tag, "tag_moved", reason) });
    }
    if (affected.length === 0) log.info("tag changed: no open promotion PR for it");
  } catch (error) {
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, "handling the changed tag"), "changed tag not handled");
  }
}
