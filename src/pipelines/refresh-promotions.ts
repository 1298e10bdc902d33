import type { Config } from "../config/config.schema.js";
import { parseConfig } from "../config/parse-config.js";
import { type EnvironmentPlan, planVerifiedEnvironment } from "../core/plan-environment.js";
import { parseReleaseTag } from "../core/parse-tag.js";
import type { PromotionRecord } from "../core/promotion-record.js";
import { isPromoterError } from "../errors.js";
import { closePullRequestWithComment, commentOnce } from "../github/close-pull-request.js";
import { ensurePullRequest } from "../github/ensure-pull-request.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { type InfraWithPromotions, type OpenPromotion, readOpenPromotions } from "../github/read-open-promotions.js";
import { readBlobs } from "../github/read-blobs.js";
import type { JobOf } from "../jobs/job.schema.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

const FOREIGN_COMMIT = "<!-- release-promoter:foreign-commit -->";
const UNREADABLE_RECORD = "<!-- release-promoter:unreadable-record -->";
const NOT_REBUILT = (code: string) => `<!-- release-promoter:not-rebuilt:${code} -->`;

/**
 * infra's default branch moved → every open promotion PR whose environment file changed on main
 * since its branch was built is rebuilt on the new head (same version and digest, one commit,
 * moved in one ref update, so the PR never has zero commits); a PR that main has caught up with
 * (same digest, or a newer version) is closed with a comment; a PR carrying a commit the app did
 * not make is never overwritten (one comment, then left alone). Converged PRs cost no write.
 */
export async function refreshPromotions(run: Run, job: JobOf<"refresh-promotions">): Promise<void> {
  const log = run.log.child({ infra: job.infra });
  let infra: InfraWithPromotions;
  let config: Config;
  try {
    infra = await readOpenPromotions(run.octokit, splitRepository(job.infra));
    if (infra.configText === undefined) {
      log.info("no config on the default branch: promotion PRs left as they are");
      return;
    }
    config = parseConfig(infra.configText, `${infra.nameWithOwner}:.github/release-promoter.yml`);
  } catch (error) {
    // The config check run on the commit says what is wrong with the config; nothing is touched.
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, "refreshing promotions"), "promotions not refreshed");
    return;
  }

  const candidates = infra.promotions.flatMap((promotion) => {
    const plog = log.child({ pr: promotion.number, branch: promotion.branch });
    if (promotion.record.kind === "none") {
      plog.info("promotion PR without a record (opened by an older version): left as it is");
      return [];
    }
    return [{ promotion, plog }];
  });
  // One read for every file involved: the environment file on main and on each PR branch.
  const located = candidates.map(({ promotion, plog }): { promotion: OpenPromotion; plog: Run["log"]; record: PromotionRecord | undefined; file: string | undefined } => {
    if (promotion.record.kind !== "record") return { promotion, plog, record: undefined, file: undefined };
    const environment = config.environments[promotion.record.record.environment];
    return { promotion, plog, record: promotion.record.record, file: environment?.file };
  });
  const expressions = located.flatMap(({ promotion, file }) =>
    file === undefined || promotion.headRef === undefined ? [] : [`${infra.headOid}:${file}`, `${promotion.headRef.oid}:${file}`],
  );
  let texts: Array<string | undefined>;
  try {
    texts = await readBlobs(run.octokit, splitRepository(infra.nameWithOwner), expressions);
  } catch (error) {
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, "reading the promotion files"), "promotions not refreshed");
    return;
  }
  let next = 0;
  for (const { promotion, plog, record, file } of located) {
    const [mainText, branchText] = file === undefined || promotion.headRef === undefined ? [undefined, undefined] : [texts[next++], texts[next++]];
    try {
      await refreshOne(run, { infra, config, promotion, record, mainText, branchText, log: plog });
    } catch (error) {
      logFailure(plog, isPromoterError(error) ? error : mapGitHubError(error, `refreshing PR #${promotion.number}`), "promotion PR not refreshed");
    }
  }
}

async function refreshOne(
  run: Run,
  args: {
    infra: InfraWithPromotions;
    config: Config;
    promotion: OpenPromotion;
    record: PromotionRecord | undefined;
    mainText: string | undefined;
    branchText: string | undefined;
    log: Run["log"];
  },
): Promise<void> {
  const { infra, config, promotion, record, log } = args;
  if (record === undefined) {
    const reason = promotion.record.kind === "unreadable" ? promotion.record.reason : "no record";
    await commentOnce(
      run.octokit,
      promotion,
      UNREADABLE_RECORD,
      `release-promoter cannot read what this PR promotes (${reason}), so it will not rebuild, update or close it. Close it to let the app open a new one.`,
    );
    log.warn({ reason }, "promotion record unreadable: PR left as it is");
    return;
  }
  if (!promotion.onlyAuthorsCommits) {
    const wrote = await commentOnce(
      run.octokit,
      promotion,
      FOREIGN_COMMIT,
      `\`${promotion.branch}\` carries a commit that release-promoter did not make, so the app will not rebuild or update this PR: a person's change is never overwritten. ` +
        `Merge it as it is, or close it to let the app open a new one.`,
    );
    log.info({ commented: wrote }, "promotion branch has a foreign commit: left as it is");
    return;
  }
  const service = config.services[record.service];
  const environment = config.environments[record.environment];
  if (service === undefined || environment === undefined || service.repository.toLowerCase() !== record.repository.toLowerCase()) {
    await commentOnce(
      run.octokit,
      promotion,
      NOT_REBUILT("config"),
      `The config on ${infra.defaultBranch} no longer maps ${record.repository} → service \`${record.service}\` in environment \`${record.environment}\`; release-promoter leaves this PR as it is.`,
    );
    return;
  }
  if (record.tag === undefined) {
    // A promotion of main is planned from the service's default branch as it is now (it may have
    // moved since): the same job a push runs, which rebuilds this PR on the new base or closes nothing.
    await run.queue.enqueue({ kind: "promote-main", installationId: run.installationId, repository: record.repository, trigger: "refresh" });
    log.info({ repository: record.repository }, "promotion of main queued to rebuild its PR on the new default branch");
    return;
  }
  const plan: EnvironmentPlan = await planVerifiedEnvironment({
    serviceName: record.service,
    service,
    release: parseReleaseTag(record.tag),
    environmentName: record.environment,
    environment,
    digest: record.digest,
    baseText: args.mainText,
    openPullRequest: undefined,
    source: { repository: record.repository, url: `${new URL(infra.url).origin}/${record.repository}`, commit: record.commit, pusher: record.pusher },
    // A rollback stays a rollback (a person asked for that downgrade); any other PR is rebuilt as a
    // plain promotion, so a main that moved past it closes it instead of turning it into a downgrade.
    request: record.rollback !== undefined && record.requestedBy !== undefined ? { by: record.requestedBy.login, issue: record.requestedBy.issue } : undefined,
  });
  if (plan.outcome === "change") {
    if (plan.content === args.branchText) {
      log.debug("promotion PR up to date with the default branch");
      return;
    }
    const pr = await ensurePullRequest(run.octokit, {
      repository: { id: infra.id, nameWithOwner: infra.nameWithOwner },
      baseBranch: infra.defaultBranch,
      baseOid: infra.headOid,
      branch: plan.branch,
      branchRef: promotion.headRef,
      pullRequest: { id: promotion.id, number: promotion.number, url: promotion.url },
      files: [{ path: plan.file, content: plan.content }],
      commitMessage: plan.commitMessage,
      title: plan.title,
      body: plan.body,
    });
    log.info({ commit: pr.commit, base: infra.headOid }, "promotion PR rebuilt on the new default branch");
    return;
  }
  if (plan.outcome === "noop" || plan.code === "version_downgrade" || plan.code === "version_reused") {
    await closePullRequestWithComment(
      run.octokit,
      promotion,
      `Closed by release-promoter: ${infra.defaultBranch} has moved past this promotion of ${record.service} ${record.tag}. ${plan.reason}`,
    );
    log.info({ reason: plan.outcome === "noop" ? "converged" : plan.code }, "promotion PR closed: the default branch moved past it");
    return;
  }
  await commentOnce(
    run.octokit,
    promotion,
    NOT_REBUILT(plan.code),
    `release-promoter could not rebuild this PR on the new ${infra.defaultBranch} (\`${plan.code}\`): ${plan.reason}`,
  );
  log.warn({ code: plan.code }, "promotion PR not rebuilt");
}
