import { CONFIG_PATH } from "../config/parse-config.js";
import { type ReadRecord, readPromotionRecord } from "../core/promotion-record.js";
import { PromoterError } from "../errors.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

/** Branches the app owns: release-promoter/<environment>/<service>. */
export const PROMOTION_BRANCH_PREFIX = "release-promoter/";

export const READ_OPEN_PROMOTIONS = /* GraphQL */ `
  query ReadOpenPromotions($owner: String!, $name: String!, $configExpression: String!) {
    repository(owner: $owner, name: $name) {
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
          text
          isBinary
        }
      }
      pullRequests(states: [OPEN], first: 100, orderBy: { field: CREATED_AT, direction: ASC }) {
        totalCount
        nodes {
          id
          number
          url
          body
          headRefName
          baseRefName
          isCrossRepository
          author {
            login
          }
          headRef {
            id
            target {
              oid
            }
          }
          commits(first: 20) {
            totalCount
            nodes {
              commit {
                oid
                author {
                  email
                  user {
                    login
                  }
                }
              }
            }
          }
          comments(last: 50) {
            nodes {
              body
            }
          }
        }
      }
    }
  }
`;

interface Response {
  repository: {
    id: string;
    nameWithOwner: string;
    url: string;
    defaultBranchRef: { name: string; target: { oid: string } } | null;
    config: { text: string | null; isBinary: boolean | null } | null;
    pullRequests: {
      totalCount: number;
      nodes: Array<{
        id: string;
        number: number;
        url: string;
        body: string;
        headRefName: string;
        isCrossRepository?: boolean;
        baseRefName: string;
        author: { login: string } | null;
        headRef: { id: string; target: { oid: string } } | null;
        commits: { totalCount: number; nodes: Array<{ commit: { oid: string; author: { email: string | null; user: { login: string } | null } | null } } | null> | null };
        comments: { nodes: Array<{ body: string } | null> | null };
      } | null> | null;
    };
  } | null;
}

export interface OpenPromotion {
  id: string;
  number: number;
  url: string;
  branch: string;
  body: string;
  record: ReadRecord;
  /** The branch head, when the branch still exists. */
  headRef: { id: string; oid: string } | undefined;
  /**
   * Whether every commit on the PR is the PR author's (the app's own): false when a person (or
   * anything else) pushed to the promotion branch, or when the commits could not all be read.
   */
  onlyAuthorsCommits: boolean;
  /** Bodies of the PR's latest comments (to comment once, not on every look). */
  comments: string[];
}

export interface InfraWithPromotions {
  id: string;
  nameWithOwner: string;
  url: string;
  defaultBranch: string;
  headOid: string;
  configText: string | undefined;
  promotions: OpenPromotion[];
}

/**
 * One GraphQL read: the infra repository's head, its config, and every open PR from a promotion
 * branch into the default branch, with the record the app wrote in its body, its commits'
 * authors and its latest comments. More than 100 open PRs is refused (a partial read is never
 * acted on).
 */
export async function readOpenPromotions(octokit: Octokit, infra: RepositoryName): Promise<InfraWithPromotions> {
  let data: Response;
  try {
    data = await octokit.graphql<Response>(READ_OPEN_PROMOTIONS, { owner: infra.owner, name: infra.name, configExpression: `HEAD:${CONFIG_PATH}` });
  } catch (error) {
    throw mapGitHubError(error, `reading the open promotion PRs of ${infra.owner}/${infra.name}`);
  }
  const repository = data.repository;
  if (repository === null || repository.defaultBranchRef === null) {
    throw new PromoterError("config_missing", `The infra repository ${infra.owner}/${infra.name} is not visible to the app or has no default branch.`);
  }
  if (repository.config?.isBinary) throw new PromoterError("config_invalid", `${CONFIG_PATH} in ${repository.nameWithOwner} is not a text file.`);
  const nodes = repository.pullRequests.nodes ?? [];
  if (repository.pullRequests.totalCount > nodes.length) {
    throw new PromoterError(
      "github_invalid_response",
      `${repository.nameWithOwner} has ${repository.pullRequests.totalCount} open PRs; the app reads at most ${nodes.length} at once and acts on none rather than on part of them.`,
    );
  }
  const defaultBranch = repository.defaultBranchRef.name;
  const promotions: OpenPromotion[] = [];
  for (const pr of nodes) {
    // A PR from a fork named like a promotion branch is someone else's: never rebuilt, closed or commented on.
    if (pr === null || pr.isCrossRepository === true || !pr.headRefName.startsWith(PROMOTION_BRANCH_PREFIX) || pr.baseRefName !== defaultBranch) continue;
    const commits = (pr.commits.nodes ?? []).filter((node) => node !== null);
    const author = pr.author?.login;
    promotions.push({
      id: pr.id,
      number: pr.number,
      url: pr.url,
      branch: pr.headRefName,
      body: pr.body,
      record: readPromotionRecord(pr.body),
      headRef: pr.headRef === null ? undefined : { id: pr.headRef.id, oid: pr.headRef.target.oid },
      onlyAuthorsCommits:
        author !== undefined && commits.length === pr.commits.totalCount && commits.every((node) => isAuthoredBy(node.commit.author, author)),
      comments: (pr.comments.nodes ?? []).flatMap((node) => (node === null ? [] : [node.body])),
    });
  }
  return {
    id: repository.id,
    nameWithOwner: repository.nameWithOwner,
    url: repository.url,
    defaultBranch,
    headOid: repository.defaultBranchRef.target.oid,
    configText: repository.config?.text ?? undefined,
    promotions,
  };
}

/**
 * Whether a commit's author is the PR's author. A person: their user login. The app: GraphQL
 * names the PR's bot author by its slug, while the commit's GitActor has no user (a bot is not a
 * User) but GitHub's noreply address for the bot, `<id>+<slug>[bot]@users.noreply.<host>`.
 * Author fields can be written by whoever pushes; this guards against overwriting people's work,
 * not against someone with push access to infra.
 */
export function isAuthoredBy(commitAuthor: { email: string | null; user: { login: string } | null } | null, prAuthor: string): boolean {
  if (commitAuthor === null) return false;
  if (commitAuthor.user !== null) return commitAuthor.user.login.toLowerCase() === prAuthor.toLowerCase();
  const slug = prAuthor.replace(/\[bot\]$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^\\d+\\+${slug}\\[bot\\]@users\\.noreply\\.`, "i").test(commitAuthor.email ?? "");
}
