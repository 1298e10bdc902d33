import { mapGitHubError } from "./map-github-error.js";
import type { Octokit } from "./octokit.js";

/*
 * Writes of a promotion, as few requests as GitHub allows. Commits go through
 * createCommitOnBranch, so GitHub signs them as the app (verified).
 *
 * - No open PR: one request — create (or reset) the branch at the default branch's head,
 *   commit the file, open the PR.
 * - An open PR: two requests. The new commit is made on a scratch branch first and the PR
 *   branch is then moved to it in one ref update: resetting the PR branch to the base first
 *   would leave it with no commits for a moment, and GitHub closes such PRs for good.
 */

// Shared pieces of the documents below; each document stays one static string.
const COMMIT_ON_BRANCH = (branchVariable: string) => `
    createCommitOnBranch(
      input: {
        branch: { repositoryNameWithOwner: $repositoryNameWithOwner, branchName: ${branchVariable} }
        expectedHeadOid: $baseOid
        message: $message
        fileChanges: $fileChanges
      }
    ) {
      commit {
        oid
      }
    }`;

const OPEN_PULL_REQUEST_FIELD = `
    createPullRequest(
      input: { repositoryId: $repositoryId, baseRefName: $baseBranch, headRefName: $branch, title: $title, body: $body }
    ) {
      pullRequest {
        id
        number
        url
      }
    }`;

const COMMIT_VARIABLES = `$repositoryId: ID!
    $repositoryNameWithOwner: String!
    $baseOid: GitObjectID!
    $message: CommitMessage!
    $fileChanges: FileChanges!`;

const PULL_REQUEST_VARIABLES = `$branch: String!
    $baseBranch: String!
    $title: String!
    $body: String!`;

export const OPEN_PULL_REQUEST = /* GraphQL */ `
  mutation OpenPromotionPullRequest(
    ${COMMIT_VARIABLES}
    ${PULL_REQUEST_VARIABLES}
    $qualifiedBranch: String!
  ) {
    createRef(input: { repositoryId: $repositoryId, name: $qualifiedBranch, oid: $baseOid }) {
      ref {
        id
      }
    }${COMMIT_ON_BRANCH("$branch")}${OPEN_PULL_REQUEST_FIELD}
  }
`;

export const REUSE_BRANCH_AND_OPEN_PULL_REQUEST = /* GraphQL */ `
  mutation ReuseBranchAndOpenPromotionPullRequest(
    ${COMMIT_VARIABLES}
    ${PULL_REQUEST_VARIABLES}
    $refId: ID!
  ) {
    updateRef(input: { refId: $refId, oid: $baseOid, force: true }) {
      ref {
        id
      }
    }${COMMIT_ON_BRANCH("$branch")}${OPEN_PULL_REQUEST_FIELD}
  }
`;

export const COMMIT_ON_SCRATCH_BRANCH = /* GraphQL */ `
  mutation CommitPromotionOnScratchBranch(
    ${COMMIT_VARIABLES}
    $qualifiedScratch: String!
    $scratch: String!
  ) {
    createRef(input: { repositoryId: $repositoryId, name: $qualifiedScratch, oid: $baseOid }) {
      ref {
        id
      }
    }${COMMIT_ON_BRANCH("$scratch")}
  }
`;

export const MOVE_BRANCH_AND_UPDATE_PULL_REQUEST = /* GraphQL */ `
  mutation MovePromotionBranch(
    $refId: ID!
    $oid: GitObjectID!
    $scratchRefId: ID!
    $pullRequestId: ID!
    $title: String!
    $body: String!
  ) {
    updateRef(input: { refId: $refId, oid: $oid, force: true }) {
      ref {
        id
      }
    }
    deleteRef(input: { refId: $scratchRefId }) {
      clientMutationId
    }
    updatePullRequest(input: { pullRequestId: $pullRequestId, title: $title, body: $body }) {
      pullRequest {
        id
        number
        url
      }
    }
  }
`;

export interface EnsurePullRequestInput {
  repository: { id: string; nameWithOwner: string };
  baseBranch: string;
  baseOid: string;
  branch: string;
  branchRef: { id: string; oid: string } | undefined;
  pullRequest: { id: string; number: number; url: string } | undefined;
  /** Whole new texts of the files the commit changes. */
  files: Array<{ path: string; content: string }>;
  commitMessage: string;
  title: string;
  body: string;
}

export interface EnsuredPullRequest {
  action: "opened" | "updated";
  /** The PR's node id (for enabling auto-merge). */
  id: string;
  number: number;
  url: string;
  commit: string;
}

interface PullRequestPayload {
  pullRequest: { id: string; number: number; url: string };
}

function splitMessage(message: string): { headline: string; body: string } {
  const [headline = "", ...rest] = message.split("\n");
  return { headline, body: rest.join("\n").trim() };
}

/** ensurePullRequest for one planned file change of a promotion, on infra's head as the first read saw it. */
export function ensurePlannedPullRequest(
  octokit: Octokit,
  infra: { id: string; nameWithOwner: string; defaultBranch: string; headOid: string },
  target: Pick<EnsurePullRequestInput, "branchRef" | "pullRequest">,
  plan: { branch: string; file: string; content: string; commitMessage: string; title: string; body: string },
): Promise<EnsuredPullRequest> {
  return ensurePullRequest(octokit, {
    repository: { id: infra.id, nameWithOwner: infra.nameWithOwner },
    baseBranch: infra.defaultBranch,
    baseOid: infra.headOid,
    branch: plan.branch,
    branchRef: target.branchRef,
    pullRequest: target.pullRequest,
    files: [{ path: plan.file, content: plan.content }],
    commitMessage: plan.commitMessage,
    title: plan.title,
    body: plan.body,
  });
}

/** Converges the promotion branch and its PR on `content` for `file`, started from `baseOid`. */
export async function ensurePullRequest(octokit: Octokit, input: EnsurePullRequestInput): Promise<EnsuredPullRequest> {
  const common = {
    repositoryId: input.repository.id,
    repositoryNameWithOwner: input.repository.nameWithOwner,
    baseOid: input.baseOid,
    message: splitMessage(input.commitMessage),
    fileChanges: { additions: input.files.map((file) => ({ path: file.path, contents: Buffer.from(file.content, "utf8").toString("base64") })) },
  };
  const action = `writing ${input.branch} in ${input.repository.nameWithOwner}`;
  try {
    if (input.pullRequest === undefined) {
      const prOnly = { ...common, branch: input.branch, baseBranch: input.baseBranch, title: input.title, body: input.body };
      const data =
        input.branchRef === undefined
          ? await octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } }; createPullRequest: PullRequestPayload }>(
              OPEN_PULL_REQUEST,
              { ...prOnly, qualifiedBranch: `refs/heads/${input.branch}` },
            )
          : await octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } }; createPullRequest: PullRequestPayload }>(
              REUSE_BRANCH_AND_OPEN_PULL_REQUEST,
              { ...prOnly, refId: input.branchRef.id },
            );
      return { action: "opened", ...data.createPullRequest.pullRequest, commit: data.createCommitOnBranch.commit.oid };
    }
    if (input.branchRef === undefined) throw new Error(`PR #${input.pullRequest.number} has no branch ${input.branch}`);
    // A scratch name unique to this base, so a retry after a half-done attempt cannot collide.
    const scratch = `release-promoter-scratch/${input.branch}/${input.baseOid.slice(0, 12)}-${Date.now().toString(36)}`;
    const committed = await octokit.graphql<{ createRef: { ref: { id: string } }; createCommitOnBranch: { commit: { oid: string } } }>(
      COMMIT_ON_SCRATCH_BRANCH,
      { ...common, qualifiedScratch: `refs/heads/${scratch}`, scratch },
    );
    const moved = await octokit.graphql<{ updatePullRequest: PullRequestPayload }>(MOVE_BRANCH_AND_UPDATE_PULL_REQUEST, {
      refId: input.branchRef.id,
      oid: committed.createCommitOnBranch.commit.oid,
      scratchRefId: committed.createRef.ref.id,
      pullRequestId: input.pullRequest.id,
      title: input.title,
      body: input.body,
    });
    return { action: "updated", ...moved.updatePullRequest.pullRequest, commit: committed.createCommitOnBranch.commit.oid };
  } catch (error) {
    throw mapGitHubError(error, action);
  }
}

export const ENABLE_AUTO_MERGE = /* GraphQL */ `
  mutation EnablePromotionAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
    enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
      pullRequest {
        autoMergeRequest {
          enabledAt
        }
      }
    }
  }
`;

/**
 * Enables GitHub's auto-merge on a promotion PR (environments with `autoMerge`): GitHub merges it
 * once branch protection's required reviews and checks pass, so they still decide; the app never
 * merges itself. Throws (mapped) when GitHub refuses, e.g. auto-merge is off in the repository.
 */
export async function enableAutoMerge(octokit: Octokit, pullRequestId: string, method: "merge" | "squash" | "rebase", what: string): Promise<void> {
  try {
    await octokit.graphql(ENABLE_AUTO_MERGE, { pullRequestId, mergeMethod: method.toUpperCase() });
  } catch (error) {
    throw mapGitHubError(error, `enabling auto-merge on ${what}`);
  }
}
