import { mapGitHubError } from "./map-github-error.js";
import type { Octokit } from "./octokit.js";

export const CLOSE_WITH_COMMENT = /* GraphQL */ `
  mutation ClosePromotionPullRequest($pullRequestId: ID!, $body: String!) {
    addComment(input: { subjectId: $pullRequestId, body: $body }) {
      clientMutationId
    }
    closePullRequest(input: { pullRequestId: $pullRequestId }) {
      pullRequest {
        number
        state
      }
    }
  }
`;

export const COMMENT = /* GraphQL */ `
  mutation CommentOnPromotionPullRequest($pullRequestId: ID!, $body: String!) {
    addComment(input: { subjectId: $pullRequestId, body: $body }) {
      clientMutationId
    }
  }
`;

/** Closes a promotion PR with a comment saying why, in one request. */
export async function closePullRequestWithComment(octokit: Octokit, pullRequest: { id: string; number: number }, body: string): Promise<void> {
  try {
    await octokit.graphql(CLOSE_WITH_COMMENT, { pullRequestId: pullRequest.id, body });
  } catch (error) {
    throw mapGitHubError(error, `closing PR #${pullRequest.number}`);
  }
}

/**
 * Comments on a PR once: `marker` (an HTML comment) identifies the comment, and nothing is written
 * when one of the PR's latest comments already carries it. Returns whether it wrote.
 */
export async function commentOnce(
  octokit: Octokit,
  pullRequest: { id: string; number: number; comments: string[] },
  marker: string,
  body: string,
): Promise<boolean> {
  if (pullRequest.comments.some((comment) => comment.includes(marker))) return false;
  try {
    await octokit.graphql(COMMENT, { pullRequestId: pullRequest.id, body: `${body}\n\n${marker}` });
  } catch (error) {
    throw mapGitHubError(error, `commenting on PR #${pullRequest.number}`);
  }
  return true;
}
