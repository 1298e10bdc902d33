import type { Config } from "../config/config.schema.js";
import { infraRepositoryFor } from "../config/infra-repository.js";
import { configAtHead } from "../config/config-cache.js";
import { type EnvironmentOutcome, reportOutcomes, reportRefusal } from "../core/check-report.js";
import { hasGates } from "../core/gates.js";
import { planVerifiedCommitEnvironment, readRunningMarker } from "../core/plan-commit-environment.js";
import { renderImageTag, selectMainPromotions } from "../core/select-promotion.js";
import { PromoterError } from "../errors.js";
import { ensurePlannedPullRequest } from "../github/ensure-pull-request.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { type Ancestry, compareCommits, type MainContext, readMainContext } from "../github/read-main-context.js";
import { readPromotionTargets } from "../github/read-promotion-targets.js";
import { MAIN_CHECK_RUN_NAME } from "../github/report-check-run.js";
import type { JobOf } from "../jobs/job.schema.js";
import { RunLater } from "../jobs/run-later.js";
import { Reporter } from "./check-reporter.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";
import { retryOf, waitForImage } from "./promotion-steps.js";
import { gatesAfterPromotion } from "./write-gates.js";
import { requestAutoMerge } from "./auto-merge.js";

/**
 * A push to a service's default branch → its `on: main` environments: the branch's head (read
 * now, so a burst of pushes is one promotion of the newest) → the digest CI built from it → one PR
 * per environment, marked `# core@<12 hex>`, or the open one updated. Monotonic: the head must
 * descend from the commit (or release tag) the file runs, as GitHub's compare says. The outcome is
 * the `release-promoter/main` check run on the head commit; a push that promotes nothing (no
 * `on: main` environment for the repository) writes nothing.
 */
export async function promoteMain(run: Run, job: JobOf<"promote-main">): Promise<void> {
  const { octokit, deps } = run;
  const source = splitRepository(job.repository);
  const infra = infraRepositoryFor(deps.env, source.owner);
  const log = run.log.child({ repository: job.repository, trigger: job.trigger });
  const leftInProgress = job.checkRunId === undefined ? undefined : { id: job.checkRunId, status: "IN_PROGRESS", conclusion: undefined, title: undefined, summary: undefined };
  let reporter = new Reporter(octokit, log, source, "main", leftInProgress, job.headCommit, MAIN_CHECK_RUN_NAME);
  let ours = false;
  const startedAt = Date.now();
  try {
    const read = await readMainContext(octokit, { infra, source, checkName: MAIN_CHECK_RUN_NAME });
    const config = configOf(run, infra, read);
    if (config === undefined) return void log.info("push to main promotes nothing: no usable config");
    const selections = selectMainPromotions(config, read.source.nameWithOwner);
    if (selections.length === 0) return void log.debug("push to main promotes nothing: no on: main environment takes this repository");
    ours = true;
    const existing = job.trigger === "rerequested" && job.checkRunId === undefined ? undefined : read.source.checkRun;
    reporter = new Reporter(octokit, log, source, "main", existing, read.source.head, MAIN_CHECK_RUN_NAME);
    const commit = read.source.head;
    const clog = log.child({ commit });
    clog.info({ pushed: job.headCommit, retries: job.retries, waiting: job.imageWait !== undefined }, "promotion of main started");
    const outcomes: EnvironmentOutcome[] = [];
    const labels: string[] = [];
    for (const { serviceName, service, environments } of selections) {
      const slog = clog.child({ service: serviceName });
      const reference = renderImageTag(service.imageTag, { sha: commit, tag: "", version: "" });
      const { digest } = await waitForImage(run, { job, reporter, log: slog, config, image: service.image, reference });
      labels.push(`${serviceName}@${commit.slice(0, 12)}`);
      const requests = environments.map(({ name, environment }) => ({ file: environment.file, branch: `release-promoter/${name}/${serviceName}` }));
      const targets = await readPromotionTargets(octokit, { infra, defaultBranch: read.infra.defaultBranch, baseOid: read.infra.headOid, targets: requests });
      for (const [i, { name, environment }] of environments.entries()) {
        const target = targets[i]!;
        const elog = slog.child({ environment: name, digest });
        const running = readRunningMarker({ serviceName, service, environment, baseText: target.baseText });
        let ancestry: Ancestry | undefined;
        try {
          ancestry = running?.revision === undefined ? undefined : await compareCommits(octokit, source, running.revision, commit);
        } catch (error) {
          // This environment fails; the others (and what they already opened) are still reported.
          if (!(error instanceof PromoterError)) throw error;
          logFailure(elog, error, "environment not promoted");
          outcomes.push({ environment: name, file: environment.file, outcome: "failed", code: error.code, reason: error.message });
          continue;
        }
        const plan = await planVerifiedCommitEnvironment({
          serviceName,
          service,
          environmentName: name,
          environment,
          commit,
          digest,
          baseText: target.baseText,
          openPullRequest: target.pullRequest === undefined ? undefined : { number: target.pullRequest.number, url: target.pullRequest.url, text: target.branchText, record: target.pullRequest.record },
          source: { repository: read.source.nameWithOwner, url: read.source.url, defaultBranch: read.source.defaultBranch, pusher: job.pusher },
          ancestry,
        });
        if (plan.outcome === "refused") {
          elog.warn({ code: plan.code }, "environment not promoted");
          outcomes.push({ environment: name, file: plan.file, outcome: "refused", code: plan.code, reason: plan.reason });
          continue;
        }
        if (plan.outcome === "noop") {
          outcomes.push(plan.pullRequest === undefined ? { environment: name, file: plan.file, outcome: "noop", reason: plan.reason } : { environment: name, file: plan.file, outcome: "pull_request", number: plan.pullRequest.number, url: plan.pullRequest.url, version: commit.slice(0, 12) });
          continue;
        }
        try {
          const pr = await ensurePlannedPullRequest(octokit, read.infra, target, plan);
          elog.info({ pr: pr.number, action: pr.action }, "pull request ensured");
          let waiting = environment.autoMerge === undefined ? undefined : await requestAutoMerge(run, pr, environment.autoMerge, elog);
          if (hasGates(environment)) {
            const gates = await gatesAfterPromotion(run, { infra, defaultBranch: read.infra.defaultBranch, baseOid: read.infra.headOid, config, environmentName: name, serviceName, digest, pullRequest: { number: pr.number, url: pr.url, headSha: pr.commit } });
            if (gates !== undefined) waiting = waiting === undefined ? gates : `${waiting} ${gates}`;
          }
          outcomes.push({ environment: name, file: plan.file, outcome: "pull_request", number: pr.number, url: pr.url, version: commit.slice(0, 12), superseded: plan.supersededVersion, waiting });
        } catch (error) {
          if (!(error instanceof PromoterError)) throw error;
          logFailure(elog, error, "environment not promoted");
          if (error.retryable && retryOf(run, job, error).kind === "retry") throw error;
          outcomes.push({ environment: name, file: plan.file, outcome: "failed", code: error.code, reason: error.message });
        }
      }
    }
    const report = reportOutcomes(selections.map((s) => s.serviceName).join(", "), labels.join(", "), outcomes);
    await reporter.finish(report);
    clog.info({ conclusion: report.conclusion, outcomes: outcomes.map((o) => `${o.environment}: ${o.outcome === "pull_request" ? `PR #${o.number}` : o.outcome === "refused" || o.outcome === "failed" ? `${o.outcome} ${o.code}` : o.outcome}`), ms: Date.now() - startedAt }, "promotion of main finished");
  } catch (error) {
    if (error instanceof RunLater) throw error;
    const failure = error instanceof PromoterError ? error : new PromoterError("internal_error", "The app failed unexpectedly; its logs have the details. Nothing was changed.", { cause: error });
    const retry = retryOf(run, job, failure);
    if (retry.kind === "retry") {
      log.warn({ code: failure.code, retry: retry.retry, of: retry.of, delayMs: retry.delayMs }, "main not promoted yet; retrying later");
      throw new RunLater({ ...job, retries: retry.retry, checkRunId: reporter.id }, retry.delayMs, `retry ${retry.retry} of ${retry.of} after ${failure.code}`);
    }
    logFailure(log, failure, "main not promoted");
    if (!ours) return;
    await reporter.finish(reportRefusal("main", failure.code, failure.message)).catch((reportError: unknown) => logFailure(log, mapGitHubError(reportError, "reporting on the commit"), "could not report on the commit"));
  }
}

/** The config at infra's head (cached by its blob oid), or undefined when there is none or it is broken (the config check run says why). */
function configOf(run: Run, infra: { owner: string; name: string }, read: MainContext): Config | undefined {
  const { configText, configOid } = read.infra;
  if (configText === undefined) return undefined;
  const key = `${infra.owner}/${infra.name}`;
  try {
    return configAtHead(run.deps.configCache, run.installationId, key, run.deps.configCache?.get(run.installationId, key), {
      text: configText,
      oid: configOid,
      defaultBranch: read.infra.defaultBranch,
      nameWithOwner: read.infra.nameWithOwner,
    }).config;
  } catch (error) {
    if (error instanceof PromoterError) return undefined;
    throw error;
  }
}
