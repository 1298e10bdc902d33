import type { Probot } from "probot";
import { infraRepositoryFor } from "../config/infra-repository.js";
import { CONFIG_PATH, parseConfig } from "../config/parse-config.js";
import { sweepKeys } from "../core/plan-sweep.js";
import type { PromoterDependencies } from "../dependencies.js";
import { isPromoterError } from "../errors.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { type Octokit, splitRepository } from "../github/octokit.js";
import { readKeysState, readSweepInfra, readSweepState, readTagProbes } from "../github/read-sweep-state.js";
import type { ContractsConfig } from "../config/config.schema.js";
import { tryParseReleaseTag } from "../core/parse-tag.js";
import semver from "semver";
import { CHECK_RUN_NAME, SWEEP_CHECK_RUN_NAME } from "../github/report-check-run.js";
import { ageSeconds, buildStatusRows, outcomeOf } from "./build-status-rows.js";
import { readPullRequestAges } from "./read-pull-request-ages.js";
import type { ContractsStatus, InstallationStatus, StatusPage } from "./status-data.js";

/**
 * Every installation's status, read as the sweep reads it (src/pipelines/sweep.ts): the app's
 * installations with its JWT, then per installation the infra repository and config, one query
 * for the tags, files and promotion PRs, one for the app's check run on each newest tag, and one
 * for the open PRs' creation dates (4 reads, 2 when the installation has no tags or open PRs). Reads only.
 * An installation that cannot be read gets its reason instead of rows; the others go on.
 */
export async function readStatus(app: Probot, deps: PromoterDependencies, now: () => number): Promise<Omit<StatusPage, "ageSeconds" | "cacheSeconds">> {
  const generatedAt = new Date(now()).toISOString();
  let installations: Array<{ id: number; account: string | undefined; suspended: boolean }>;
  try {
    const octokit = await app.auth();
    const listed = await octokit.paginate("GET /app/installations", { per_page: 100 });
    installations = listed.map((installation) => ({
      id: installation.id,
      account: installation.account && "login" in installation.account ? installation.account.login : undefined,
      suspended: Boolean(installation.suspended_at),
    }));
  } catch (error) {
    const mapped = mapGitHubError(error, "listing the app's installations");
    app.log.warn({ err: mapped, code: mapped.code }, "status page: installations not listed");
    return { generatedAt, error: `${mapped.code}: ${mapped.message}`, installations: [] };
  }
  const statuses = await Promise.all(
    installations.map(async (installation): Promise<InstallationStatus> => {
      const account = installation.account ?? `installation ${installation.id}`;
      const infra = infraRepositoryFor(deps.env, account);
      const base = { installationId: installation.id, account, infraRepository: `${infra.owner}/${infra.name}` };
      if (installation.suspended) return { ...base, error: "the installation is suspended", rows: [], contracts: null };
      if (installation.account === undefined) return { ...base, error: "the installation has no account login", rows: [], contracts: null };
      try {
        const octokit = (await app.auth(installation.id)) as Octokit;
        return { ...base, ...(await readInstallationStatus(octokit, deps.env, installation.account, now)) };
      } catch (error) {
        const mapped = isPromoterError(error) ? error : mapGitHubError(error, `reading the status of ${account}`);
        app.log.warn({ err: mapped, code: mapped.code, account }, "status page: installation not read");
        return { ...base, error: `${mapped.code}: ${mapped.message}`, rows: [], contracts: null };
      }
    }),
  );
  return { generatedAt, error: null, installations: statuses };
}

/** One installation's rows, or the reason it has none; throws PromoterError when GitHub fails or the config is invalid. */
export async function readInstallationStatus(
  octokit: Octokit,
  env: PromoterDependencies["env"],
  account: string,
  now: () => number,
): Promise<Pick<InstallationStatus, "infraRepository" | "error" | "rows" | "contracts">> {
  const infraName = infraRepositoryFor(env, account);
  const infra = await readSweepInfra(octokit, infraName, SWEEP_CHECK_RUN_NAME);
  const infraRepository = infra?.nameWithOwner ?? `${infraName.owner}/${infraName.name}`;
  if (infra === undefined) return { infraRepository, error: `config_missing: no repository ${infraRepository} (or no default branch) visible to the app`, rows: [], contracts: null };
  if (infra.configText === undefined) return { infraRepository, error: `config_missing: no ${CONFIG_PATH} on the default branch (${infra.defaultBranch}) of ${infraRepository}`, rows: [], contracts: null };
  const config = parseConfig(infra.configText, `${infra.nameWithOwner}:${CONFIG_PATH}`);
  const services = Object.entries(config.services);
  const contracts = config.contracts === undefined ? null : await readContractsStatus(octokit, infraName, infra, config.contracts);
  if (sweepKeys(config).length === 0) return { infraRepository, error: null, rows: [], contracts };
  const { files, state } = await readKeysState(octokit, infraName, infra, config);
  const rows = buildStatusRows({ config, state, files });

  // The app's check run on each newest tag (one query for all), and the open PRs' ages (one more).
  const serviceIndex = new Map(services.map(([name], i) => [name, i]));
  const probes = [...new Map(rows.flatMap((row) => (row.newestTag === null ? [] : [[`${row.service}\n${row.newestTag.tag}`, { service: row.service, tag: row.newestTag.tag }] as const]))).values()];
  const [probed, ages] = await Promise.all([
    readTagProbes(
      octokit,
      probes.map((probe) => ({ repository: splitRepository(state.services[serviceIndex.get(probe.service)!]!.nameWithOwner), tag: probe.tag })),
      CHECK_RUN_NAME,
    ),
    readPullRequestAges(octokit, infraName, [...new Set(rows.flatMap((row) => (row.pullRequest === null ? [] : [row.pullRequest.number])))]),
  ]);
  for (const row of rows) {
    if (row.newestTag !== null) {
      const index = probes.findIndex((probe) => probe.service === row.service && probe.tag === row.newestTag!.tag);
      row.lastOutcome = outcomeOf(row.newestTag.tag, row.environment, probed[index]?.checkRun);
    }
    if (row.pullRequest !== null) {
      row.pullRequest.createdAt = ages.get(row.pullRequest.number) ?? null;
      row.pullRequest.ageSeconds = ageSeconds(row.pullRequest.createdAt, now());
    }
  }
  return { infraRepository, error: null, rows, contracts };
}

/** The newest contracts releases (strict tags of the prefix; prereleases if the config bumps them) and the app's check run on each. */
async function readContractsStatus(
  octokit: Octokit,
  infraName: { owner: string; name: string },
  infra: { defaultBranch: string; headOid: string },
  contracts: ContractsConfig,
): Promise<ContractsStatus> {
  const repository = splitRepository(contracts.repository);
  const state = await readSweepState(octokit, {
    services: [{ repository, prefix: contracts.tagPrefix }],
    infra: infraName,
    defaultBranch: infra.defaultBranch,
    headOid: infra.headOid,
    files: [],
    branches: [],
  });
  const releases = (state.services[0]?.tags ?? [])
    .flatMap((tag) => {
      const release = tryParseReleaseTag(tag.name);
      return release === undefined || release.prefix !== contracts.tagPrefix || tag.commit === undefined || (release.prerelease && !contracts.prerelease) ? [] : [release];
    })
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .slice(0, 3);
  const probed = await readTagProbes(octokit, releases.map((release) => ({ repository, tag: release.tag })), CHECK_RUN_NAME);
  return {
    package: contracts.package,
    repository: state.services[0]?.nameWithOwner ?? contracts.repository,
    releases: releases.map((release, index) => {
      const run = probed[index]?.checkRun;
      return {
        tag: release.tag,
        version: release.version,
        outcome: run === undefined ? null : { status: run.status.toLowerCase(), conclusion: run.conclusion ?? null, title: run.title ?? null },
        consumers: consumersFrom(run?.summary),
      };
    }),
  };
}

/** The consumer lines core/contracts-report.ts writes ("- **acme/web**: [PR #3](…) bumps to 0.3.2."), in words. */
export function consumersFrom(summary: string | undefined): ContractsStatus["releases"][number]["consumers"] {
  return (summary ?? "").split("\n").flatMap((line) => {
    const match = /^- \*\*([^*]+)\*\*: (.*)$/.exec(line);
    return match === null ? [] : [{ repository: match[1]!, state: match[2]!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "") }];
  });
}
