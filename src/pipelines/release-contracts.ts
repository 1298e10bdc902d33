import type { ContractsConfig } from "../config/config.schema.js";
import { contractsBranchName, contractsPullRequestText, contractsTitle, versionInTitle } from "../core/contracts-text.js";
import { type ConsumerOutcome, reportConsumers } from "../core/contracts-report.js";
import type { ReleaseTag } from "../core/parse-tag.js";
import { decideVersion } from "../core/version-policy.js";
import { parseJsonText } from "../editors/json-text.js";
import { bumpVersionPin } from "../editors/version-pin.js";
import { PromoterError } from "../errors.js";
import { ensurePullRequest } from "../github/ensure-pull-request.js";
import { listInstallationRepositories } from "../github/list-installation-repositories.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { type ConsumerState, readConsumers } from "../github/read-consumers.js";
import { hasWorkspaces, readWorkspaceFiles } from "../github/read-workspace-files.js";
import type { PromotionContext } from "../github/read-promotion-context.js";
import { planNpmBump } from "../consumers/plan-npm-bump.js";
import { type PublishedVersion, waitForPublishedVersion } from "../npm/fetch-packument.js";
import type { Reporter } from "./check-reporter.js";
import type { Run } from "./run.js";
import { logFailure } from "./log-failure.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Whether a package.json text names the package in any dependency section. A package.json that is
 * not JSON is refused (`package_json_invalid`): the app cannot tell whether the repository
 * consumes the package, and says so rather than skipping it silently.
 */
export function dependsOn(packageJson: string, name: string, file = "package.json"): boolean {
  let data: unknown;
  try {
    data = parseJsonText(packageJson);
  } catch (error) {
    throw new PromoterError("package_json_invalid", `${file} is not valid JSON (${(error as Error).message}); the app cannot tell whether it depends on ${name}.`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new PromoterError("package_json_invalid", `${file} is not a JSON object; the app cannot tell whether it depends on ${name}.`);
  }
  const manifest = data as Record<string, unknown>;
  return ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].some((section) => {
    const deps = manifest[section];
    return typeof deps === "object" && deps !== null && Object.hasOwn(deps, name);
  });
}

interface Consumer {
  repository: string;
  listed: boolean;
  pin?: { file: string; pattern: string } | undefined;
}

/**
 * `contracts-v0.3.2` in the contracts repository → once 0.3.2 is in the registry, one bump PR
 * per consumer. Consumers are handled one after another; one failing does not stop the others.
 * Content-creating requests go through the installation's pacer (see pace-content-creation.ts).
 */
export async function releaseContracts(args: {
  run: Run;
  /** owner/name the tag was pushed in. */
  repository: string;
  contracts: ContractsConfig;
  release: ReleaseTag;
  read: PromotionContext;
  reporter: Reporter;
}): Promise<void> {
  const { run, repository, contracts, release, read, reporter } = args;
  const { octokit, deps } = run;
  const log = run.log.child({ tag: release.tag, package: contracts.package });
  if (!same(repository, contracts.repository)) {
    throw new PromoterError(
      "wrong_repository",
      `Tag ${release.tag} was pushed in ${repository}, but ${contracts.package} is released only by tags in ${contracts.repository}. Nothing was changed.`,
    );
  }
  if (release.prerelease && !contracts.prerelease) {
    throw new PromoterError("prerelease_not_allowed", `${release.tag} is a prerelease; set contracts.prerelease: true to open bump PRs for prereleases.`);
  }
  let token: string | undefined;
  if (contracts.tokenEnv !== undefined) {
    token = deps.env[contracts.tokenEnv];
    if (!token) throw new PromoterError("credentials_missing", `contracts.tokenEnv names ${contracts.tokenEnv}, which is not set in the app's environment.`);
  }

  const published: PublishedVersion = await waitForPublishedVersion({
    registry: contracts.registry,
    token,
    name: contracts.package,
    version: release.version,
    fetch: deps.fetch,
    sleep: deps.sleep,
    wait: { timeoutMs: contracts.publishWaitSeconds * 1000, ...deps.registryWait },
    onWait: async ({ attempt }) => {
      log.info({ attempt }, "waiting for the package version");
      if (attempt === 1) {
        await reporter.progress(
          `Waiting for ${contracts.package}@${release.version} in the registry`,
          `${contracts.registry} does not list ${release.version} yet; the app keeps checking for up to ${contracts.publishWaitSeconds} s (publishWaitSeconds).`,
        );
      }
    },
  });

  const consumers: Consumer[] = contracts.consumers.map((c) => ({ repository: c.repository, listed: true, pin: c.pin }));
  const outcomes: ConsumerOutcome[] = [];
  if (contracts.discover) {
    for (const repo of await listInstallationRepositories(octokit)) {
      if (consumers.some((c) => same(c.repository, repo.fullName))) continue;
      if (same(repo.fullName, contracts.repository) || repo.archived) continue;
      consumers.push({ repository: repo.fullName, listed: false });
    }
  }
  const candidates = consumers.filter((consumer) => {
    if (!same(consumer.repository, contracts.repository)) return true;
    outcomes.push({ repository: consumer.repository, outcome: "skipped", reason: "it is the contracts repository itself." });
    return false;
  });
  const branch = contractsBranchName(contracts.package);
  const states = await readConsumers(
    octokit,
    candidates.map((c) => ({ repository: splitRepository(c.repository), branch, pinFile: c.pin?.file })),
  );

  for (const [i, consumer] of candidates.entries()) {
    const state = states[i]!;
    try {
      const outcome = await bumpConsumer({ octokit, contracts, release, published, token, consumer, state, branch, contractsUrl: read.source.url });
      if (outcome !== undefined) outcomes.push(outcome);
    } catch (error) {
      const mapped = error instanceof PromoterError ? error : mapGitHubError(error, `bumping ${consumer.repository}`);
      logFailure(log.child({ consumer: consumer.repository }), mapped, "consumer not bumped");
      outcomes.push({ repository: consumer.repository, outcome: "failed", code: mapped.code, reason: mapped.message });
    }
  }
  for (const outcome of outcomes) run.deps.metrics?.contractsBump(outcome.outcome, outcome.outcome === "failed" ? outcome.code : undefined);
  await reporter.finish(reportConsumers(contracts.package, release.version, outcomes));
}

async function bumpConsumer(args: {
  octokit: Run["octokit"];
  contracts: ContractsConfig;
  release: ReleaseTag;
  published: PublishedVersion;
  token: string | undefined;
  consumer: Consumer;
  state: ConsumerState;
  branch: string;
  contractsUrl: string;
}): Promise<ConsumerOutcome | undefined> {
  const { contracts, release, consumer, state } = args;
  const repository = consumer.repository;
  if (!state.found) return { repository, outcome: "skipped", reason: "the app cannot see it (install the app on it)." };
  if (state.archived) return { repository, outcome: "skipped", reason: "it is archived." };
  if (state.headOid === undefined || state.defaultBranch === undefined) return { repository, outcome: "skipped", reason: "it has no default branch." };

  // Before any file or npm work: an open bump PR of ours that already proposes this release or a
  // newer one is left alone (an older release never overwrites it); one whose title the app cannot
  // read is not touched either.
  const open = state.pullRequest;
  const proposed = open === undefined ? undefined : versionInTitle(open.title, contracts.package);
  if (open !== undefined) {
    const decision = decideVersion(proposed, release.version);
    if (decision === "unknown" || decision === "unreadable") {
      return {
        repository,
        outcome: "failed",
        code: "pull_request_unreadable",
        reason:
          `PR #${open.number} on ${args.branch} is titled ${JSON.stringify(open.title)}, so the app cannot tell which version it proposes; ` +
          `it was left as it is. Restore the title "${contractsTitle(contracts.package, proposed ?? "X.Y.Z")}", or close the PR to let the app open a new one.`,
      };
    }
    if (decision === "same") return { repository, outcome: "pull_request", number: open.number, url: open.url, breaking: false };
    if (decision === "downgrade") {
      return { repository, outcome: "skipped", reason: `[PR #${open.number}](${open.url}) already proposes ${proposed}, newer than ${release.version}; left as it is.` };
    }
  }

  let files: Array<{ path: string; content: string }>;
  let from: string | undefined;
  let method: string;
  if (consumer.pin !== undefined) {
    if (state.pinText === undefined) return { repository, outcome: "failed", code: "pin_not_found", reason: `${consumer.pin.file} does not exist.` };
    const edit = bumpVersionPin(state.pinText, { pattern: consumer.pin.pattern, version: release.version }, { file: consumer.pin.file });
    // The monotonic rule, as for npm ranges: never lower a consumer.
    const decision = decideVersion(edit.from, release.version);
    if (decision === "unreadable") {
      return {
        repository,
        outcome: "failed",
        code: "pin_unreadable",
        reason: `${consumer.pin.file} (line ${edit.line}) pins ${JSON.stringify(edit.from)}, which is not a SemVer version; the app cannot tell whether ${release.version} is newer, so it changed nothing.`,
      };
    }
    if (decision === "same") return { repository, outcome: "up_to_date", reason: `${consumer.pin.file} pins ${release.version}.` };
    if (decision === "downgrade") {
      return { repository, outcome: "up_to_date", reason: `${consumer.pin.file} pins ${edit.from}, newer than ${release.version}; the app never lowers a consumer.` };
    }
    files = [{ path: consumer.pin.file, content: edit.text }];
    from = edit.from;
    method = "version pin";
  } else {
    if (state.packageJson === undefined) {
      return consumer.listed ? { repository, outcome: "skipped", reason: "it has no package.json (set pin: for a non-npm consumer)." } : undefined;
    }
    const workspaces = hasWorkspaces(state.packageJson)
      ? await readWorkspaceFiles(args.octokit, splitRepository(state.nameWithOwner), state.headOid, state.packageJson)
      : {};
    const packageJsons = Object.entries({ "package.json": state.packageJson, ...workspaces });
    if (!consumer.listed && !packageJsons.some(([file, text]) => dependsOn(text, contracts.package, file))) return undefined;
    const input: Record<string, string> = { "package.json": state.packageJson, ...workspaces };
    if (state.packageLock !== undefined) input["package-lock.json"] = state.packageLock;
    const plan = await planNpmBump(
      input,
      { name: contracts.package, version: release.version, published: args.published },
      { registry: contracts.registry, token: args.token },
    );
    if (plan.outcome === "noop") return { repository, outcome: "up_to_date", reason: plan.reason };
    if (plan.outcome === "refused") return { repository, outcome: "failed", code: plan.code, reason: plan.reason };
    files = Object.entries(plan.files).map(([path, content]) => ({ path, content }));
    from = plan.from;
    method = plan.method;
  }

  const text = contractsPullRequestText({
    packageName: contracts.package,
    version: release.version,
    tag: release.tag,
    tagPrefix: contracts.tagPrefix,
    contractsUrl: args.contractsUrl,
    from,
    superseded: proposed,
    method,
    files: files.map((f) => f.path),
  });
  const pr = await ensurePullRequest(args.octokit, {
    repository: { id: state.id, nameWithOwner: state.nameWithOwner },
    baseBranch: state.defaultBranch,
    baseOid: state.headOid,
    branch: args.branch,
    branchRef: state.branchRef,
    pullRequest: open,
    files,
    commitMessage: text.commitMessage,
    title: text.title,
    body: text.body,
  });
  if (text.breaking) {
    const { owner, name } = splitRepository(state.nameWithOwner);
    await args.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      owner,
      repo: name,
      issue_number: pr.number,
      labels: ["breaking"],
    });
  }
  return { repository, outcome: "pull_request", number: pr.number, url: pr.url, breaking: text.breaking, superseded: proposed };
}
