/** Answers on infra issues and PRs (comment commands), and the rollback label. REST, content-creating (paced). */
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

export async function commentOnIssue(octokit: Octokit, repository: RepositoryName, issue: number, body: string): Promise<void> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: repository.owner, repo: repository.name, issue_number: issue, body });
  } catch (error) {
    throw mapGitHubError(error, `answering on #${issue} of ${repository.owner}/${repository.name}`);
  }
}

export async function addLabels(octokit: Octokit, repository: RepositoryName, issue: number, labels: string[]): Promise<void> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner: repository.owner, repo: repository.name, issue_number: issue, labels });
  } catch (error) {
    throw mapGitHubError(error, `labelling #${issue} of ${repository.owner}/${repository.name}`);
  }
}

/** The permission GitHub gives `login` on the repository (admin, write, read, none): write or admin may run commands. */
export async function permissionOf(octokit: Octokit, repository: RepositoryName, login: string): Promise<string> {
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: repository.owner, repo: repository.name, username: login });
    return String((response.data as { permission?: unknown }).permission ?? "none");
  } catch (error) {
    // Not a collaborator at all.
    if ((error as { status?: number }).status === 404) return "none";
    throw mapGitHubError(error, `reading ${login}'s permission on ${repository.owner}/${repository.name}`);
  }
}
