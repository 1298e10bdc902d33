import { type Config } from "../config/config.schema.js";
import { type EnvironmentOutcome, reportOutcomes, reportRefusal } from "../core/check-report.js";
import { planVerifiedEnvironment } from "../core/plan-environment.js";
import { judgePromotionHistory } from "../core/promotion-history.js";
import { renderImageTag, selectPromotion } from "../core/select-promotion.js";
import { PromoterError } from "../errors.js";
import { ensurePlannedPullRequest } from "../github/ensure-pull-request.js";
import { type RepositoryName, splitRepository } from "../github/octokit.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { type PromotionContext, readPromotionContext } from "../github/read-promotion-context.js";
import { type TargetRequest, readPromotionTargets } from "../github/read-promotion-targets.js";
import { type CachedConfig, configAtHead } from "../config/config-cache.js";
import { CHECK_RUN_NAME } from "../github/report-check-run.js";
import type { JobOf } from "../jobs/job.schema.js";
import { RunLater } from "../jobs/run-later.js";
import { Reporter } from "./check-reporter.js";
import { checkProvenance } from "./check-provenance.js";
import { activeHold, heldReason, holds } from "../core/hold.js";
import { addLabels, commentOnIssue } from "../github/issue-comments.js";
import { logFailure } from "./log-failure.js";
import { hasGates } from "../core/gates.js";
import { gatesAfterPromotion } from "./write-gates.js";
import { requestAutoMerge } from "./auto-merge.js";
import { releaseContracts } from "./release-contracts.js";
import type { Run } from "./run.js";
import { retryOf, waitForImage } from "./promotion-steps.js";
import { resemblesReleaseTag, tryParseReleaseTag } from "../core/parse-tag.js";
import { parseImageRepository } from "../registry/image-reference.js";
import { type ResolvedDigest, resolveDigest } from "../registry/resolve-digest.js";
import { registryConfigFor } from "../registry/registry-config-for.js";
import { infraRepositoryFor } from "../config/infra-repository.js";

/**
 * Every failure after the webhook is answered ends on the tagged commit as a check run, or, when
 * not even the commit is known (or the report itself fails), as a log line with its `code`.
 */
export async function promoteTag(run: Run, job: JobOf<"promote-tag">): Promise<void> {
  const { octokit, deps } = run;
  const { tag } = job;
  const source = splitRepository(job.repository);
  const infra = infraRepositoryFor(deps.env, source.owner);
  const log = run.log.child({ repository: job.repository, tag, trigger: job.trigger });
  // Until the first read answers, the push payload's head commit (the tagged commit) is all we know.
  // A job that runs again later (a retry, a wait) carries the check run it left in progress.
  const leftInProgress = job.checkRunId === undefined ? undefined : { id: job.checkRunId, status: "IN_PROGRESS", conclusion: undefined, title: undefined, summary: undefined };
  let reporter = new Reporter(octokit, log, source, tag, leftInProgress, job.headCommit);
  let ours = resemblesReleaseTag(tag);
  const startedAt = Date.now();
  log.info({ headCommit: job.headCommit, retries: job.retries, waiting: job.imageWait !== undefined }, "promotion started");

  // What the config this app last saw says this tag needs, read in the same query (config-cache.ts).
  const cached = deps.configCache?.get(run.installationId, `${infra.owner}/${infra.name}`);
  const guess = guessFromCache(cached, job, deps);

  try {
    const read = await readPromotionContext(octokit, {
      infra,
      source,
      tag,
      checkName: CHECK_RUN_NAME,
      targets: cached === undefined || guess === undefined ? undefined : { defaultBranch: cached.defaultBranch, requests: guess.requests },
    });
    // The tagged commit (peeled); for a tag deleted since, the push payload's head commit.
    // A person pressed Re-run: the outcome goes in a new check run, even when the last one says the same.
    const existing = job.trigger === "rerequested" && job.checkRunId === undefined ? undefined : read.source.checkRun;
    reporter = new Reporter(octokit, log, source, tag, existing, read.source.commit ?? job.headCommit);
    await promoteWith({ run, job, infra, read, cached, guess, reporter, log, startedAt, ours: (value) => (ours = value) });
  } catch (error) {
    if (error instanceof RunLater) throw error; // a wait as a delayed job: the check run stays in progress
    const failure = error instanceof PromoterError ? error : new PromoterError("internal_error", "The app failed unexpectedly; its logs have the details. Nothing was changed.", { cause: error });
    // With a durable queue a retryable failure runs again later (backoff, a cap); the last one is reported.
    const retry = retryOf(run, job, failure);
    if (retry.kind === "retry") {
      log.warn({ code: failure.code, retry: retry.retry, of: retry.of, delayMs: retry.delayMs }, "tag not promoted yet; retrying later");
      if (ours) {
        await reporter
          .progress(`Retrying after ${failure.code}`, `${failure.message}\n\nThe app tries again in ${Math.ceil(retry.delayMs / 1000)} s (retry ${retry.retry} of ${retry.of}); nothing was changed.`)
          .catch((reportError: unknown) => logFailure(log, mapGitHubError(reportError, "reporting on the tagged commit"), "could not report the retry"));
      }
      throw new RunLater({ ...job, retries: retry.retry, checkRunId: reporter.id }, retry.delayMs, `retry ${retry.retry} of ${retry.of} after ${failure.code}`);
    }
    logFailure(log, failure, "tag not promoted");
    if (job.command !== undefined) await answerCommand(run, infra, job.command, `${tag} was not promoted to ${job.command.environment} (\`${failure.code}\`): ${failure.message}`, log);
    // A tag that is not a release tag (`latest`) is none of our business: no check run for it.
    if (!ours) return;
    deps.metrics?.promotion(failure.retryable || failure.code === "internal_error" ? "failed" : "refused", failure.code);
    try {
      await reporter.finish(reportRefusal(tag, failure.code, failure.message));
    } catch (reportError) {
      const mapped = mapGitHubError(reportError, "reporting on the tagged commit");
      logFailure(log.child({ reported: failure.code }), mapped, "could not report on the tagged commit");
    }
  }
}

/**
 * What promoting `tag` needs under the config this app last saw (config-cache.ts): the
 * environment files and promotion branches to read in the first query, and the image digest,
 * looked up (one attempt, no wait) while that query is on its way. Undefined when that config
 * would not promote the tag (a contracts release, an ignored or refused tag: the real run
 * decides and says why). Used only if the first read shows the config unchanged; the real run's
 * checks all come first either way.
 */
interface Guess {
  requests: TargetRequest[];
  image: string;
  reference: string | undefined;
  digest: Promise<ResolvedDigest | undefined> | undefined;
}

function guessFromCache(cached: CachedConfig | undefined, job: JobOf<"promote-tag">, deps: Run["deps"]): Guess | undefined {
  if (cached === undefined) return undefined;
  const { config } = cached;
  if (config.contracts !== undefined && tryParseReleaseTag(job.tag)?.prefix === config.contracts.tagPrefix) return undefined;
  let selection: ReturnType<typeof selectPromotion>;
  try {
    selection = selectPromotion(config, job.repository, job.tag);
  } catch {
    return undefined;
  }
  if (selection.kind === "ignored") return undefined;
  const { service, serviceName, release } = selection;
  const requests = selection.environments.map(({ name, environment }) => ({ file: environment.file, branch: `release-promoter/${name}/${serviceName}` }));
  // The push payload's head commit is the tagged commit; the read confirms it before this is used.
  const reference = job.headCommit === undefined ? undefined : renderImageTag(service.imageTag, { sha: job.headCommit, tag: job.tag, version: release.version });
  const digest =
    reference === undefined
      ? undefined
      : resolveDigest({ image: service.image, reference, auth: registryConfigFor(config.registries, service.image), env: deps.env, fetch: deps.fetch }).catch(() => undefined);
  return { requests, image: service.image, reference, digest };
}

function sameRequests(a: TargetRequest[], b: TargetRequest[]): boolean {
  return a.length === b.length && a.every((request, i) => request.file === b[i]!.file && request.branch === b[i]!.branch);
}


async function promoteWith(args: {
  run: Run;
  job: JobOf<"promote-tag">;
  infra: RepositoryName;
  read: PromotionContext;
  /** The config this app had for infra before the read, if any, and the targets it guessed from it. */
  cached: CachedConfig | undefined;
  guess: Guess | undefined;
  reporter: Reporter;
  log: Run["log"];
  /** When this run began (for the finish line's duration). */
  startedAt: number;
  ours: (ours: boolean) => void;
}): Promise<void> {
  const { run, job, infra, read, cached, reporter, log } = args;
  const { octokit, deps } = run;
  const { tag } = job;
  let config: Config;
  // Whether the config at infra's head is the one the guess was made from.
  let unchanged = false;
  try {
    if (read.infra.configText === undefined) {
      throw new PromoterError(
        "config_missing",
        `${read.infra.nameWithOwner} has no .github/release-promoter.yml on ${read.infra.defaultBranch}; nothing can be promoted until it exists.`,
      );
    }
    ({ config, unchanged } = configAtHead(deps.configCache, run.installationId, `${infra.owner}/${infra.name}`, cached, {
      text: read.infra.configText,
      oid: read.infra.configOid,
      defaultBranch: read.infra.defaultBranch,
      nameWithOwner: read.infra.nameWithOwner,
    }));
  } catch (error) {
    // Only tags that resemble release tags hear about a broken config; others are not ours.
    if (!resemblesReleaseTag(tag)) {
      log.info({ code: (error as PromoterError).code }, "tag ignored: no usable config");
      return;
    }
    throw error;
  }

  const contracts = config.contracts;
  const contractsRelease = tryParseReleaseTag(tag);
  if (contracts !== undefined && contractsRelease?.prefix === contracts.tagPrefix) {
    if (read.source.commit === undefined) {
      throw new PromoterError("tag_not_found", `Tag ${tag} no longer exists in ${read.source.nameWithOwner} (or does not point at a commit).`);
    }
    await releaseContracts({ run, repository: job.repository, contracts, release: contractsRelease, read, reporter });
    return;
  }

  // From here on the config decides: a tag it governs hears about every failure, even one that
  // does not resemble a release tag (`core-v1.2` in a service repository is invalid_tag).
  const owned = Object.values(config.services).some((service) => service.repository.toLowerCase() === job.repository.toLowerCase());
  args.ours(owned || resemblesReleaseTag(tag));
  const selection = selectPromotion(config, job.repository, tag);
  if (selection.kind === "ignored") {
    log.info({ reason: selection.reason }, "tag ignored");
    return;
  }
  const { serviceName, service, release } = selection;
  const slog = log.child({ service: serviceName });

  if (read.source.commit === undefined) {
    throw new PromoterError("tag_not_found", `Tag ${tag} no longer exists in ${read.source.nameWithOwner} (or does not point at a commit).`);
  }
  if (!read.source.onDefaultBranch) {
    throw new PromoterError(
      "not_on_default_branch",
      `The commit ${read.source.commit.slice(0, 12)} tagged ${tag} is not on ${read.source.nameWithOwner}'s default branch ` +
        `${read.source.defaultBranch}. Only commits merged to ${read.source.defaultBranch} are promoted (their image was built there); ` +
        `tag a commit of ${read.source.defaultBranch}.`,
    );
  }

  const imageTag = renderImageTag(service.imageTag, { sha: read.source.commit, tag, version: release.version });
  const early = unchanged && args.guess?.image === service.image && args.guess.reference === imageTag ? await args.guess.digest : undefined;
  const { digest, waited } =
    early === undefined ? await waitForImage(run, { job, reporter, log: slog, config, image: service.image, reference: imageTag }) : { digest: early.digest, waited: false };
  const dlog = slog.child({ digest });

  // A comment command names one environment; it must take this tag like any other promotion.
  const command = job.command;
  const environments = command === undefined ? selection.environments : selection.environments.filter(({ name }) => name === command.environment);
  if (environments.length === 0) {
    throw new PromoterError("no_environment", `${tag} is not promoted to ${command?.environment}: the environment does not take ${serviceName}, or not prereleases.`);
  }
  const requests = environments.map(({ name, environment }) => ({ file: environment.file, branch: `release-promoter/${name}/${serviceName}` }));
  // The first read already holds them when the cached config was this one and named the same
  // targets; not after a wait for the image (the branches may have moved meanwhile).
  const readAlready =
    read.targets !== undefined && unchanged && !waited && sameRequests(args.guess?.requests ?? [], requests);
  const targets = readAlready
    ? read.targets!
    : await readPromotionTargets(octokit, { infra, defaultBranch: read.infra.defaultBranch, baseOid: read.infra.headOid, targets: requests });

  // Build provenance, once, when an environment of this promotion requires it (check-provenance.ts).
  const provenance = environments.some(({ environment }) => environment.requireProvenance)
    ? await checkProvenance(octokit, {
        service,
        sourceRepository: read.source.nameWithOwner,
        defaultBranch: read.source.defaultBranch,
        commit: read.source.commit,
        digest,
        env: deps.env,
      })
    : undefined;
  if (provenance !== undefined) {
    if (provenance.ok) dlog.info({ signer: provenance.signer, workflowRun: provenance.workflowRun }, "provenance verified");
    else dlog.warn({ code: provenance.error.code, reason: provenance.error.message }, "provenance refused");
  }

  const outcomes: EnvironmentOutcome[] = [];
  const failures: PromoterError[] = [];
  for (const [i, { name, environment }] of environments.entries()) {
    const target = targets[i]!;
    // A merged rollback holds the environment (core/hold.ts); only a person's command goes past it.
    const hold = command === undefined ? activeHold(target.closedPullRequests) : undefined;
    if (hold !== undefined && holds(hold, release.version)) {
      dlog.info({ environment: name, hold: hold.number }, "environment held by a rollback");
      outcomes.push({ environment: name, file: environment.file, outcome: "refused", code: "rollback_hold", reason: heldReason(hold, serviceName, name, release.version) });
      continue;
    }
    const openRecord = target.pullRequest?.record;
    if (command === undefined && openRecord?.kind === "record" && openRecord.record.rollback !== undefined) {
      outcomes.push({
        environment: name,
        file: environment.file,
        outcome: "refused",
        code: "rollback_hold",
        reason: `[PR #${target.pullRequest!.number}](${target.pullRequest!.url}) is a rollback a person asked for and waits for review; a tag does not replace it. Merge or close it first.`,
      });
      continue;
    }
    if (environment.requireProvenance && provenance?.ok === false) {
      outcomes.push({ environment: name, file: environment.file, outcome: "refused", code: provenance.error.code, reason: provenance.error.message });
      continue;
    }
    const history = judgePromotionHistory({
      tag,
      commit: read.source.commit,
      repository: read.source.nameWithOwner,
      open: target.pullRequest,
      closed: target.closedPullRequests,
    });
    if (history.kind === "refuse") {
      dlog.warn({ environment: name, code: history.code }, "environment not promoted");
      outcomes.push({ environment: name, file: environment.file, outcome: "refused", code: history.code, reason: history.reason });
      continue;
    }
    if (history.kind === "noop") {
      outcomes.push({ environment: name, file: environment.file, outcome: "noop", reason: history.reason });
      continue;
    }
    const plan = await planVerifiedEnvironment({
      serviceName,
      service,
      release,
      environmentName: name,
      environment,
      digest,
      baseText: target.baseText,
      openPullRequest:
        target.pullRequest === undefined ? undefined : { number: target.pullRequest.number, url: target.pullRequest.url, text: target.branchText },
      source: {
        repository: read.source.nameWithOwner,
        url: read.source.url,
        commit: read.source.commit,
        pusher: job.pusher,
      },
      provenance: environment.requireProvenance && provenance?.ok === true ? { signer: provenance.signer, workflowRun: provenance.workflowRun, attestations: provenance.attestations } : undefined,
      request: command === undefined ? undefined : { by: command.by, issue: command.issue },
    });
    if (plan.outcome === "noop") {
      outcomes.push(
        plan.pullRequest === undefined
          ? { environment: name, file: plan.file, outcome: "noop", reason: plan.reason }
          : { environment: name, file: plan.file, outcome: "pull_request", number: plan.pullRequest.number, url: plan.pullRequest.url, version: release.version },
      );
      continue;
    }
    if (plan.outcome === "refused") {
      outcomes.push({ environment: name, file: plan.file, outcome: "refused", code: plan.code, reason: plan.reason });
      continue;
    }
    try {
      const pr = await ensurePlannedPullRequest(octokit, read.infra, target, plan);
      dlog.info({ environment: name, pr: pr.number, action: pr.action, rollback: plan.rollback !== undefined }, "pull request ensured");
      if (plan.rollback !== undefined) {
        await addLabels(octokit, infra, pr.number, [ROLLBACK_LABEL]).catch((error: unknown) =>
          logFailure(dlog, mapGitHubError(error, "labelling the rollback PR"), "rollback label not added"),
        );
      }
      deps.metrics?.tagToPullRequest.observe((Date.now() - args.startedAt) / 1000);
      const autoMerge = environment.autoMerge === undefined ? undefined : await requestAutoMerge(run, pr, environment.autoMerge, dlog);
      // Gates (requires, windows): a check on the PR that branch protection can require; the tag's check run says what it waits for.
      const gates = hasGates(environment)
        ? await gatesAfterPromotion(run, { infra, defaultBranch: read.infra.defaultBranch, baseOid: read.infra.headOid, config, environmentName: name, serviceName, digest, pullRequest: { number: pr.number, url: pr.url, headSha: pr.commit } })
        : undefined;
      const waiting = [autoMerge, gates].filter((text) => text !== undefined).join(" ") || undefined;
      outcomes.push({
        environment: name,
        file: plan.file,
        outcome: "pull_request",
        number: pr.number,
        url: pr.url,
        version: release.version,
        superseded: plan.supersededVersion === undefined ? undefined : `v${plan.supersededVersion}`,
        waiting,
      });
    } catch (error) {
      if (!(error instanceof PromoterError)) throw error;
      failures.push(error);
      logFailure(dlog.child({ environment: name }), error, "environment not promoted");
      outcomes.push({
        environment: name,
        file: plan.file,
        outcome: "failed",
        code: error.code,
        reason: error.message,
      });
    }
  }
  // A write that failed retryably is retried as a whole job (the environments already promoted are
  // no-ops then); once the retries are spent, the report lists each environment's outcome.
  const retryable = failures.find((failure) => failure.retryable);
  if (retryable !== undefined && retryOf(run, job, retryable).kind === "retry") throw retryable;
  for (const outcome of outcomes) deps.metrics?.promotion(outcome.outcome, "code" in outcome ? outcome.code : undefined);
  const report = reportOutcomes(serviceName, tag, outcomes);
  await reporter.finish(report);
  if (command !== undefined) await answerCommand(run, infra, command, commandAnswer(tag, outcomes), dlog);
  dlog.info(
    { conclusion: report.conclusion, outcomes: outcomes.map((o) => `${o.environment}: ${o.outcome === "pull_request" ? `PR #${o.number}` : o.outcome === "refused" || o.outcome === "failed" ? `${o.outcome} ${o.code}` : o.outcome}`), ms: Date.now() - args.startedAt },
    "promotion finished",
  );
}


/** The label of rollback PRs (created by GitHub on first use). */
export const ROLLBACK_LABEL = "rollback";

type Command = NonNullable<JobOf<"promote-tag">["command"]>;

/** The answer on the issue or PR where a person asked: the PR, or why not. */
function commandAnswer(tag: string, outcomes: EnvironmentOutcome[]): string {
  return outcomes
    .map((o) => {
      switch (o.outcome) {
        case "pull_request":
          return `${tag} → ${o.environment}: ${o.url}`;
        case "noop":
          return `${tag} → ${o.environment}: nothing to do. ${o.reason}`;
        default:
          return `${tag} → ${o.environment}: ${o.outcome} (\`${o.code}\`). ${o.reason}`;
      }
    })
    .join("\n");
}

async function answerCommand(run: Run, infra: RepositoryName, command: Command, text: string, log: Run["log"]): Promise<void> {
  await commentOnIssue(run.octokit, infra, command.issue, `@${command.by} ${text}`).catch((error: unknown) =>
    logFailure(log, mapGitHubError(error, "answering the command"), "could not answer the command"),
  );
}
