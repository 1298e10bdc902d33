import { CONFIG_PATH } from "../config/parse-config.js";
import { PromoterError } from "../errors.js";
import { type CommitCheckRuns, type ExistingCheckRun, LATEST_CHECK_RUN_FRAGMENT, latestCheckRun } from "./latest-check-run.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";
import { infraNotVisible, readInfraAndSource } from "./read-promotion-context.js";

/**
 * The first read of a push to a service's default branch: the central config, infra's head, and
 * the service branch's head commit now (not the pushed one: a later push may have moved it, and
 * the head is what is promoted), with our latest main check run on it. One GraphQL request.
 */
export const READ_MAIN_CONTEXT = /* GraphQL */ `
  query ReadMainContext(
    $infraOwner: String!
    $infraName: String!
    $configExpression: String!
    $sourceOwner: String!
    $sourceName: String!
    $checkName: String!
  ) {
    infra: repository(owner: $infraOwner, name: $infraName) {
      id
      nameWithOwner
      url
      defaultBranchRef {
        name
        target {
          oid
        }
      }
      config: object(expression: $configExpression) {
        ... on Blob {
          oid
          text
          isBinary
        }
      }
    }
    source: repository(owner: $sourceOwner, name: $sourceName) {
      nameWithOwner
      url
      defaultBranchRef {
        name
        target {
          __typename
          oid
          ...LatestCheckRun
        }
      }
    }
  }

  ${LATEST_CHECK_RUN_FRAGMENT}
`;

interface Response {
  infra: {
    id: string;
    nameWithOwner: string;
    url: string;
    defaultBranchRef: { name: string; target: { oid: string } } | null;
    config: { oid?: string; text: string | null; isBinary: boolean | null } | null;
  } | null;
  source: {
    nameWithOwner: string;
    url: string;
    defaultBranchRef: { name: string; target: ({ __typename: string; oid: string } & CommitCheckRuns) | null } | null;
  } | null;
}

export interface MainContext {
  infra: { id: string; nameWithOwner: string; url: string; defaultBranch: string; headOid: string; configText: string | undefined; configOid: string | undefined };
  source: { nameWithOwner: string; url: string; defaultBranch: string; head: string; checkRun: ExistingCheckRun | undefined };
}

export async function readMainContext(octokit: Octokit, args: { infra: RepositoryName; source: RepositoryName; checkName: string }): Promise<MainContext> {
  const data = await readInfraAndSource<Response>(
    octokit,
    READ_MAIN_CONTEXT,
    { infraOwner: args.infra.owner, infraName: args.infra.name, configExpression: `HEAD:${CONFIG_PATH}`, sourceOwner: args.source.owner, sourceName: args.source.name, checkName: args.checkName },
    args,
  );
  if (data.infra === null || data.infra.defaultBranchRef === null) throw infraNotVisible(`${args.infra.owner}/${args.infra.name}`);
  const head = data.source?.defaultBranchRef?.target;
  if (data.source === null || data.source.defaultBranchRef === null || head === null || head === undefined || head.__typename !== "Commit") {
    throw new PromoterError(
      "github_forbidden",
      `GitHub refused reading ${args.source.owner}/${args.source.name}: the repository is not visible to the app or its default branch has no commit. ` +
        `Check that the app is installed on that repository with the permissions in the README.`,
    );
  }
  if (data.infra.config?.isBinary) throw new PromoterError("config_invalid", `${CONFIG_PATH} in ${args.infra.owner}/${args.infra.name} is not a text file.`);
  return {
    infra: {
      id: data.infra.id,
      nameWithOwner: data.infra.nameWithOwner,
      url: data.infra.url,
      defaultBranch: data.infra.defaultBranchRef.name,
      headOid: data.infra.defaultBranchRef.target.oid,
      configText: data.infra.config?.text ?? undefined,
      configOid: typeof data.infra.config?.oid === "string" ? data.infra.config.oid : undefined,
    },
    source: {
      nameWithOwner: data.source.nameWithOwner,
      url: data.source.url,
      defaultBranch: data.source.defaultBranchRef.name,
      head: head.oid,
      checkRun: latestCheckRun(head),
    },
  };
}

export type Ancestry = "ahead" | "identical" | "behind" | "diverged" | "missing" | "ambiguous";

/**
 * How `head` relates to `base` in `repository` (REST compare; `base` may be a commit, an
 * abbreviated one, or a tag name): ahead means head descends from base. A base GitHub does not
 * know (a commit of a rewritten history, a deleted tag) is `missing`; an abbreviated commit that
 * GitHub resolved to another commit (a branch or tag of that name) is `ambiguous`.
 */
export async function compareCommits(octokit: Octokit, repository: RepositoryName, base: string, head: string): Promise<Ancestry> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      owner: repository.owner,
      repo: repository.name,
      basehead: `${base}...${head}`,
      per_page: 1,
    });
    // An abbreviated commit must be the commit GitHub compared from: a branch or tag named like it would win the lookup.
    if (/^[0-9a-f]{7,39}$/.test(base) && !String(data.base_commit?.sha ?? "").startsWith(base)) return "ambiguous";
    const status = data.status;
    if (status === "ahead" || status === "identical" || status === "behind" || status === "diverged") return status;
    throw new PromoterError("github_invalid_response", `GitHub compared ${base}...${head} in ${repository.owner}/${repository.name} with an unknown status ${JSON.stringify(status)}.`);
  } catch (error) {
    if (error instanceof PromoterError) throw error;
    // GitHub answers 404 for a base it does not know (422 on some versions for an unknown commit).
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 422) return "missing";
    throw mapGitHubError(error, `comparing ${base}...${head} in ${repository.owner}/${repository.name}`);
  }
}
