import { CONFIG_PATH } from "../config/parse-config.js";
import { PromoterError } from "../errors.js";
import { type CommitCheckRuns, type ExistingCheckRun, LATEST_CHECK_RUN_FRAGMENT, latestCheckRun } from "./latest-check-run.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";
import { type TargetRequest, type TargetState, branchFields, branchVariableDefinitions, branchVariables, targetStateFrom } from "./read-promotion-targets.js";

/**
 * The promotion's first read. With `targets` (what a cached config says this tag will need: see
 * config/config-cache.ts) it also reads them — each environment file in the very commit whose
 * oid it returns as the head, and the promotion branch side — so that a promotion whose config
 * is unchanged needs no second read.
 */
export function readPromotionContextDocument(targets: number): string {
  const definitions: string[] = [];
  const files: string[] = [];
  const branches: string[] = [];
  for (let i = 0; i < targets; i++) {
    definitions.push(`$file${i}: String!`, ...branchVariableDefinitions(i));
    files.push(`
            base${i}: file(path: $file${i}) {
              object {
                ... on Blob {
                  text
                }
              }
            }`);
    branches.push(branchFields(i));
  }
  const headFiles = targets === 0 ? "" : `
          ... on Commit {${files.join("")}
          }`;
  return /* GraphQL */ `
  query ReadPromotionContext(
    $infraOwner: String!
    $infraName: String!
    $configExpression: String!
    $sourceOwner: String!
    $sourceName: String!
    $tagRef: String!
    $checkName: String!${targets === 0 ? "" : `
    $defaultBranch: String!
    ${definitions.join("\n    ")}`}
  ) {
    infra: repository(owner: $infraOwner, name: $infraName) {
      id
      nameWithOwner
      url
      defaultBranchRef {
        name
        target {
          oid${headFiles}
        }
      }
      config: object(expression: $configExpression) {
        ... on Blob {
          oid
          text
          isBinary
        }
      }${branches.join("").replace(/\n/g, "\n  ")}
    }
    source: repository(owner: $sourceOwner, name: $sourceName) {
      nameWithOwner
      url
      defaultBranchRef {
        name
        compare(headRef: $tagRef) {
          status
          aheadBy
        }
      }
      tag: ref(qualifiedName: $tagRef) {
        target {
          __typename
          oid
          ...LatestCheckRun
          ... on Tag {
            target {
              __typename
              oid
              ...LatestCheckRun
              ... on Tag {
                target {
                  __typename
                  oid
                  ...LatestCheckRun
                }
              }
            }
          }
        }
      }
    }
  }

  ${LATEST_CHECK_RUN_FRAGMENT}
`;
}

export const READ_PROMOTION_CONTEXT = readPromotionContextDocument(0);

interface GitObject extends CommitCheckRuns {
  __typename: string;
  oid: string;
  target?: GitObject;
}

interface ReadPromotionContextResponse {
  infra: {
    id: string;
    nameWithOwner: string;
    url: string;
    defaultBranchRef: { name: string; target: { oid: string } & Record<string, unknown> } | null;
    config: { oid?: string; text: string | null; isBinary: boolean | null } | null;
  } & Record<string, unknown> | null;
  source: {
    nameWithOwner: string;
    url: string;
    defaultBranchRef: { name: string; compare: { status: string; aheadBy: number } | null } | null;
    tag: { target: GitObject } | null;
  } | null;
}

export interface PromotionContext {
  infra: {
    id: string;
    nameWithOwner: string;
    url: string;
    defaultBranch: string;
    headOid: string;
    /** Text of the central config, or undefined when the file does not exist. */
    configText: string | undefined;
    /** Its git blob oid (the config cache's key). */
    configOid: string | undefined;
  };
  /** The targets asked for, read at `infra.headOid`; undefined when none were asked for. */
  targets: TargetState[] | undefined;
  source: {
    nameWithOwner: string;
    url: string;
    defaultBranch: string;
    /** The tagged commit (annotated tags peeled), or undefined when the tag is gone. */
    commit: string | undefined;
    /** Whether the tagged commit is reachable from the default branch. */
    onDefaultBranch: boolean;
    /** Our latest check run on the tagged commit, if any. */
    checkRun: ExistingCheckRun | undefined;
  };
}

/**
 * One GraphQL read: the central config, the infra head, the tagged commit and its reachability;
 * and the `targets` when given (with the infra default branch's name they need).
 */
export async function readPromotionContext(
  octokit: Octokit,
  args: { infra: RepositoryName; source: RepositoryName; tag: string; checkName: string; targets?: { defaultBranch: string; requests: TargetRequest[] } },
): Promise<PromotionContext> {
  let data: ReadPromotionContextResponse;
  const requests = args.targets?.requests ?? [];
  const variables: Record<string, string> = {
    infraOwner: args.infra.owner,
    infraName: args.infra.name,
    configExpression: `HEAD:${CONFIG_PATH}`,
    sourceOwner: args.source.owner,
    sourceName: args.source.name,
    tagRef: `refs/tags/${args.tag}`,
    checkName: args.checkName,
  };
  if (args.targets !== undefined && requests.length > 0) {
    variables.defaultBranch = args.targets.defaultBranch;
    requests.forEach((target, i) => Object.assign(variables, { [`file${i}`]: target.file }, branchVariables(target, i)));
  }
  data = await readInfraAndSource<ReadPromotionContextResponse>(octokit, readPromotionContextDocument(requests.length), variables, args);
  const infraName = `${args.infra.owner}/${args.infra.name}`;
  if (data.infra === null || data.infra.defaultBranchRef === null) throw infraNotVisible(infraName);
  if (data.source === null || data.source.defaultBranchRef === null) {
    throw new PromoterError(
      "github_forbidden",
      `GitHub refused reading ${args.source.owner}/${args.source.name}: the repository is not visible to the app or has no default branch. ` +
        `Check that the app is installed on that repository with the permissions in the README.`,
    );
  }
  const config = data.infra.config;
  if (config?.isBinary) {
    throw new PromoterError("config_invalid", `${CONFIG_PATH} in ${infraName} is not a text file.`);
  }
  const status = data.source.defaultBranchRef.compare?.status;
  const commit = data.source.tag === null ? undefined : peel(data.source.tag.target);
  return {
    infra: {
      id: data.infra.id,
      nameWithOwner: data.infra.nameWithOwner,
      url: data.infra.url,
      defaultBranch: data.infra.defaultBranchRef.name,
      headOid: data.infra.defaultBranchRef.target.oid,
      configText: config?.text ?? undefined,
      configOid: typeof config?.oid === "string" ? config.oid : undefined,
    },
    // Read only when the head is the default branch the targets were named for.
    targets:
      requests.length === 0 || data.infra.defaultBranchRef.name !== args.targets?.defaultBranch
        ? undefined
        : requests.map((_, i) => {
            const base = data.infra!.defaultBranchRef!.target[`base${i}`] as { object: { text?: string | null } | null } | null;
            return targetStateFrom(data.infra!, i, base?.object?.text ?? undefined);
          }),
    source: {
      nameWithOwner: data.source.nameWithOwner,
      url: data.source.url,
      defaultBranch: data.source.defaultBranchRef.name,
      commit: commit?.oid,
      // compare(base: default branch, head: tag): the tag is on the branch when it is behind or identical.
      onDefaultBranch: status === "BEHIND" || status === "IDENTICAL",
      checkRun: commit === undefined ? undefined : latestCheckRun(commit),
    },
  };
}

/**
 * A first read of infra and a source repository (a tag's, or a push to main's): the answer, or the
 * partial one GitHub gives with a NOT_FOUND error for a repository the installation cannot see
 * (that side is then null, for the caller to refuse with its reason).
 */
export async function readInfraAndSource<T extends { infra: unknown; source: unknown }>(
  octokit: Octokit,
  document: string,
  variables: Record<string, string>,
  args: { infra: RepositoryName; source: RepositoryName },
): Promise<T> {
  try {
    return await octokit.graphql<T>(document, variables);
  } catch (error) {
    const partial = (error as { data?: T }).data;
    if (partial?.infra === null || partial?.source === null) return partial;
    throw mapGitHubError(error, `reading ${args.infra.owner}/${args.infra.name} and ${args.source.owner}/${args.source.name}`);
  }
}

/** `config_missing`: the infra repository is not visible to the app or has no default branch. */
export function infraNotVisible(infraName: string): PromoterError {
  return new PromoterError(
    "config_missing",
    `The infra repository ${infraName} is not visible to the app or has no default branch. ` +
      `Install the app on it, or set INFRA_REPOSITORY to the right repository.`,
  );
}

function peel(object: GitObject): GitObject | undefined {
  let current: GitObject | undefined = object;
  while (current !== undefined && current.__typename === "Tag") current = current.target;
  return current?.__typename === "Commit" ? current : undefined;
}

