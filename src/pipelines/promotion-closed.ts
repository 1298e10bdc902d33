import { reportPromotionClosed } from "../core/promotion-closed-report.js";
import { type PromotionRecord, readPromotionRecord } from "../core/promotion-record.js";
import { branchName } from "../core/pull-request-text.js";
import { isPromoterError } from "../errors.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { PROMOTION_BRANCH_PREFIX } from "../github/read-open-promotions.js";
import { CHECK_RUN_NAME, MAIN_CHECK_RUN_NAME, createCheckRun } from "../github/report-check-run.js";
import type { JobOf } from "../jobs/job.schema.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

/**
 * A promotion PR was closed → the tag's check run says so: merged (by whom), or closed without
 * merging by a person (and the sweep will not reopen it for that version). One read (the PR, for
 * its record and merge state) and one write (the check run on the tagged commit).
 */
export async function promotionClosed(run: Run, job: JobOf<"promotion-closed">): Promise<void> {
  const log = run.log.child({ infra: job.infra, pr: job.number });
  const infra = splitRepository(job.infra);
  try {
    const { data: pr } = await run.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: infra.owner, repo: infra.name, pull_number: job.number });
    if (!pr.head.ref.startsWith(PROMOTION_BRANCH_PREFIX) || pr.state !== "closed") return;
    const read = readPromotionRecord(pr.body);
    if (read.kind !== "record") {
      log.warn({ record: read.kind, reason: read.kind === "unreadable" ? read.reason : undefined }, "closed promotion PR without a readable record: nothing reported");
      return;
    }
    const { record } = read;
    // GitHub's PR has both; either one saying merged is enough, a missing field is not.
    const merged = pr.merged === true || typeof pr.merged_at === "string";
    const by = merged ? (pr.merged_by?.login ?? job.by) : job.by;
    const text = reportPromotionClosed(record, { infra: job.infra, number: job.number, url: pr.html_url, merged, by });
    // A push to main's promotion is reported beside that commit's own main check run, not as a tag's.
    const main = record.trigger === "main";
    await createCheckRun(run.octokit, splitRepository(record.repository), record.commit, record.tag ?? "main", { status: "completed", ...text }, main ? MAIN_CHECK_RUN_NAME : CHECK_RUN_NAME);
    log.info({ tag: record.tag, commit: record.commit, merged }, main ? "promotion PR closed: reported on the commit" : "promotion PR closed: reported on the tagged commit");
    if (merged) await queueDependentGates(run, job.infra, record, log);
  } catch (error) {
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, `reporting the close of ${job.infra}#${job.number}`), "closed promotion not reported");
  }
}

/**
 * A merge into an environment others require (`requires.environment`) can move their gates: the
 * open promotion PRs of the same service there are re-evaluated now, not at the next sweep. Known
 * from the config this app last read (none cached: the sweep does it); one read per dependent
 * environment, only when there is one.
 */
async function queueDependentGates(run: Run, infra: string, record: PromotionRecord, log: Run["log"]): Promise<void> {
  const config = run.deps.configCache?.get(run.installationId, infra)?.config;
  if (config === undefined) return;
  const dependents = Object.entries(config.environments).filter(
    ([, environment]) => environment.requires?.environment === record.environment && (environment.services === undefined || environment.services.includes(record.service)),
  );
  const repository = splitRepository(infra);
  for (const [name] of dependents) {
    const { data: open } = await run.octokit.request("GET /repos/{owner}/{repo}/pulls", {
      owner: repository.owner,
      repo: repository.name,
      state: "open",
      head: `${repository.owner}:${branchName(name, record.service)}`,
    });
    for (const pr of open) {
      log.info({ environment: name, pr: pr.number }, "a merge in a required environment: gates re-evaluated");
      await run.queue.enqueue({ kind: "check-gates", installationId: run.installationId, infra, number: pr.number });
    }
  }
}
