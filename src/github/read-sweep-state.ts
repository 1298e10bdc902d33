import { CONFIG_PATH } from "../config/parse-config.js";
import { type ReadRecord, readPromotionRecord } from "../core/promotion-record.js";
import { PromoterError } from "../errors.js";
import { type CommitCheckRuns, type ExistingCheckRun, LATEST_CHECK_RUN_FRAGMENT, latestCheckRun } from "./latest-check-run.js";
import { mapGitHubError } from "./map-github-error.js";
import { type Octokit, type RepositoryName, splitRepository } from "./octokit.js";
import type { Config } from "../config/config.schema.js";
import { type SweepKey, sweepKeys } from "../core/plan-sweep.js";
import { tagPrefixOf } from "../core/select-promotion.js";

/**
 * The reads of a sweep, for one installation, whatever its number of services and environments:
 *   1. the infra repository's config and head (with the sweep's own check run on it);
 *   2. one query with aliases: each service's newest tags of its prefix, each environment file at
 *      that head, and each promotion branch's latest PRs (open, closed and merged, with records);
 *   3. only when some key is behind: the reachability of the candidate tags from their default
 *      branch, with the app's latest check run on each tagged commit.
 * A converged installation costs reads 1 and 2 and no write.
 */
export const READ_SWEEP_INFRA = /* GraphQL */ `
  query ReadSweepInfra($owner: String!, $name: String!, $configExpression: String!, $checkName: String!) {
    repository(owner: $owner, name: $name) {
      nameWithOwner
      defaultBranchRef {
        name
        target {
          oid
          ...LatestCheckRun
        }
      }
      config: object(expression: $configExpression) {
        ... on Blob {
          text
          isBinary
        }
      }
    }
  }

  ${LATEST_CHECK_RUN_FRAGMENT}
`;

export interface SweepInfra {
  nameWithOwner: string;
  defaultBranch: string;
  headOid: string;
  configText: string | undefined;
  /** The sweep's own latest check run on that head (see core/sweep-report.ts), so a sweep that finds the same writes nothing. */
  reported: ExistingCheckRun | undefined;
}

export async function readSweepInfra(octokit: Octokit, infra: RepositoryName, checkName: string): Promise<SweepInfra | undefined> {
  type Response = {
    repository: {
      nameWithOwner: string;
      defaultBranchRef: {
        name: string;
        target: { oid: string } & CommitCheckRuns;
      } | null;
      config: { text: string | null; isBinary: boolean | null } | null;
    } | null;
  };
  let data: Response;
  try {
    data = await octokit.graphql<Response>(READ_SWEEP_INFRA, { owner: infra.owner, name: infra.name, configExpression: `HEAD:${CONFIG_PATH}`, checkName });
  } catch (error) {
    // An installation without the infra repository is not an error: nothing to sweep there.
    const partial = (error as { data?: Response }).data;
    if (partial?.repository === null) return undefined;
    throw mapGitHubError(error, `reading ${infra.owner}/${infra.name}`);
  }
  const repository = data.repository;
  if (repository === null || repository.defaultBranchRef === null) return undefined;
  if (repository.config?.isBinary) throw new PromoterError("config_invalid", `${CONFIG_PATH} in ${repository.nameWithOwner} is not a text file.`);
  return {
    nameWithOwner: repository.nameWithOwner,
    defaultBranch: repository.defaultBranchRef.name,
    headOid: repository.defaultBranchRef.target.oid,
    configText: repository.config?.text ?? undefined,
    reported: latestCheckRun(repository.defaultBranchRef.target),
  };
}

const TAGS_PER_SERVICE = 100;

export interface SweepRequest {
  services: Array<{ repository: RepositoryName; prefix: string }>;
  infra: RepositoryName;
  defaultBranch: string;
  headOid: string;
  files: string[];
  branches: string[];
}

export interface SweepState {
  /** Per service, in request order: undefined when the repository is not visible to the app. */
  services: Array<{ nameWithOwner: string; tags: Array<{ name: string; commit: string | undefined }>; head: string | undefined } | undefined>;
  /** Per file, in request order: undefined when it does not exist. */
  files: Array<string | undefined>;
  /** Per branch: its latest PRs, newest first. */
  pullRequests: Array<Array<{ number: number; url: string; state: "OPEN" | "CLOSED" | "MERGED"; mergedAt?: string | undefined; record: ReadRecord }>>;
}

export function readSweepStateDocument(request: Pick<SweepRequest, "services" | "files" | "branches">): string {
  // $defaultBranch only where a branch's PRs are read (GraphQL refuses an unused variable).
  const variables = ["$infraOwner: String!", "$infraName: String!", ...(request.branches.length > 0 ? ["$defaultBranch: String!"] : [])];
  const services = request.services.map((_, i) => {
    variables.push(`$o${i}: String!`, `$n${i}: String!`, `$q${i}: String!`);
    return `
  s${i}: repository(owner: $o${i}, name: $n${i}) {
    nameWithOwner
    defaultBranchRef {
      target {
        oid
      }
    }
    refs(refPrefix: "refs/tags/", query: $q${i}, first: ${TAGS_PER_SERVICE}, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) {
      nodes {
        name
        target {
          __typename
          oid
          ... on Tag {
            target {
              __typename
              oid
              ... on Tag {
                target {
                  __typename
                  oid
                }
              }
            }
          }
        }
      }
    }
  }`;
  });
  const infra: string[] = [];
  request.files.forEach((_, j) => {
    variables.push(`$f${j}: String!`);
    infra.push(`
    f${j}: object(expression: $f${j}) {
      ... on Blob {
        text
      }
    }`);
  });
  request.branches.forEach((_, k) => {
    variables.push(`$b${k}: String!`);
    infra.push(`
    p${k}: pullRequests(headRefName: $b${k}, baseRefName: $defaultBranch, states: [OPEN, CLOSED, MERGED], first: 5, orderBy: { field: UPDATED_AT, direction: DESC }) {
      nodes {
        number
        url
        state
        body
        mergedAt
        isCrossRepository
      }
    }`);
  });
  return `query ReadSweepState(${variables.join(", ")}) {${services.join("")}
  infra: repository(owner: $infraOwner, name: $infraName) {
    id${infra.join("")}
  }
}`;
}

type TagTarget = { __typename: string; oid: string; target?: TagTarget };
type Response = Record<string, unknown>;

function peelOid(target: TagTarget | undefined): string | undefined {
  let current = target;
  while (current !== undefined && current.__typename === "Tag") current = current.target;
  return current?.__typename === "Commit" ? current.oid : undefined;
}

export async function readSweepState(octokit: Octokit, request: SweepRequest): Promise<SweepState> {
  const variables: Record<string, string> = { infraOwner: request.infra.owner, infraName: request.infra.name, ...(request.branches.length > 0 ? { defaultBranch: request.defaultBranch } : {}) };
  request.services.forEach((service, i) => {
    variables[`o${i}`] = service.repository.owner;
    variables[`n${i}`] = service.repository.name;
    variables[`q${i}`] = `${service.prefix}-v`;
  });
  request.files.forEach((file, j) => (variables[`f${j}`] = `${request.headOid}:${file}`));
  request.branches.forEach((branch, k) => (variables[`b${k}`] = branch));
  let data: Response;
  try {
    data = await octokit.graphql<Response>(readSweepStateDocument(request), variables);
  } catch (error) {
    // A service repository the installation cannot see comes back null with a NOT_FOUND error:
    // that service is skipped (reported by the caller), the others go on.
    const partial = (error as { data?: Response; errors?: Array<{ type?: string }> }).data;
    const onlyNotFound = (error as { errors?: Array<{ type?: string }> }).errors?.every((e) => e.type === "NOT_FOUND") ?? false;
    if (partial === undefined || partial === null || !onlyNotFound || partial.infra === null || partial.infra === undefined) {
      throw mapGitHubError(error, `reading the sweep state of ${request.infra.owner}/${request.infra.name}`);
    }
    data = partial;
  }
  const infra = data.infra as Record<string, unknown>;
  return {
    services: request.services.map((_, i) => {
      const repository = data[`s${i}`] as { nameWithOwner: string; defaultBranchRef?: { target: { oid: string } | null } | null; refs: { nodes: Array<{ name: string; target: TagTarget } | null> | null } } | null;
      if (repository === null || repository === undefined) return undefined;
      return {
        nameWithOwner: repository.nameWithOwner,
        head: repository.defaultBranchRef?.target?.oid ?? undefined,
        tags: (repository.refs.nodes ?? []).flatMap((node) => (node === null ? [] : [{ name: node.name, commit: peelOid(node.target) }])),
      };
    }),
    files: request.files.map((_, j) => (infra[`f${j}`] as { text: string | null } | null)?.text ?? undefined),
    pullRequests: request.branches.map((_, k) =>
      ((infra[`p${k}`] as { nodes: Array<{ number: number; url: string; state: "OPEN" | "CLOSED" | "MERGED"; body: string; mergedAt?: string | null; isCrossRepository?: boolean } | null> | null }).nodes ?? []).flatMap(
        // PRs from forks named like a promotion branch are not the app's.
        (node) => (node === null || node.isCrossRepository === true ? [] : [{ number: node.number, url: node.url, state: node.state, mergedAt: node.mergedAt ?? undefined, record: readPromotionRecord(node.body) }]),
      ),
    ),
  };
}

export interface TagProbe {
  repository: RepositoryName;
  tag: string;
}

export interface TagProbeResult {
  /** Whether the tag's commit is on the repository's default branch. */
  onDefaultBranch: boolean;
  /** The app's latest check run on the tagged commit. */
  checkRun: { status: string; conclusion: string | undefined; title: string | undefined; summary?: string | undefined } | undefined;
}

export function readTagProbesDocument(count: number): string {
  const variables = ["$checkName: String!"];
  const fields = Array.from({ length: count }, (_, x) => {
    variables.push(`$o${x}: String!`, `$n${x}: String!`, `$t${x}: String!`);
    return `
  c${x}: repository(owner: $o${x}, name: $n${x}) {
    defaultBranchRef {
      compare(headRef: $t${x}) {
        status
      }
    }
    ref(qualifiedName: $t${x}) {
      target {
        __typename
        ...LatestCheckRun
        ... on Tag {
          target {
            __typename
            ...LatestCheckRun
          }
        }
      }
    }
  }`;
  });
  return `query ReadTagProbes(${variables.join(", ")}) {${fields.join("")}
}

${LATEST_CHECK_RUN_FRAGMENT}`;
}

type ProbeTarget = CommitCheckRuns & { __typename: string; target?: ProbeTarget };

/** One query: for each candidate tag, reachability from the default branch and the app's latest check run on it. */
export async function readTagProbes(octokit: Octokit, probes: TagProbe[], checkName: string): Promise<TagProbeResult[]> {
  if (probes.length === 0) return [];
  const variables: Record<string, string> = { checkName };
  probes.forEach((probe, x) => {
    variables[`o${x}`] = probe.repository.owner;
    variables[`n${x}`] = probe.repository.name;
    variables[`t${x}`] = `refs/tags/${probe.tag}`;
  });
  let data: Record<string, { defaultBranchRef: { compare: { status: string } | null } | null; ref: { target: ProbeTarget } | null } | null>;
  try {
    data = await octokit.graphql(readTagProbesDocument(probes.length), variables);
  } catch (error) {
    throw mapGitHubError(error, "reading the candidate tags");
  }
  return probes.map((_, x) => {
    const repository = data[`c${x}`];
    const status = repository?.defaultBranchRef?.compare?.status;
    let target = repository?.ref?.target;
    while (target?.__typename === "Tag") target = target.target;
    const run = latestCheckRun(target);
    return {
      onDefaultBranch: status === "BEHIND" || status === "IDENTICAL",
      checkRun: run === undefined ? undefined : { status: run.status, conclusion: run.conclusion, title: run.title, summary: run.summary },
    };
  });
}

/**
 * The state every key of `config` needs, in one read: each service's tags, each environment file
 * at infra's head, each promotion branch's PRs (the sweep and the status page read the same).
 */
export async function readKeysState(
  octokit: Octokit,
  infraName: RepositoryName,
  infra: Pick<SweepInfra, "defaultBranch" | "headOid">,
  config: Config,
): Promise<{ keys: SweepKey[]; files: string[]; state: SweepState }> {
  const services = Object.entries(config.services);
  const keys = sweepKeys(config);
  const files = [...new Set(keys.map((key) => key.file))];
  const state = await readSweepState(octokit, {
    services: services.map(([name, service]) => ({ repository: splitRepository(service.repository), prefix: tagPrefixOf(name, service) })),
    infra: infraName,
    defaultBranch: infra.defaultBranch,
    headOid: infra.headOid,
    files,
    branches: keys.map((key) => key.branch),
  });
  return { keys, files, state };
}
