import { PromoterError } from "../errors.js";
import { enableAutoMerge } from "../github/ensure-pull-request.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

/**
 * Asks GitHub to enable auto-merge on a promotion PR (`environments.<name>.autoMerge`). A refusal
 * (the repository does not allow auto-merge) keeps the PR: it is logged, and the text returned is
 * what the source's check run says; undefined when enabled.
 */
export async function requestAutoMerge(run: Run, pr: { id: string; number: number }, method: "merge" | "squash" | "rebase", log: Run["log"]): Promise<string | undefined> {
  try {
    await enableAutoMerge(run.octokit, pr.id, method, `PR #${pr.number}`);
    return undefined;
  } catch (error) {
    const failure = error instanceof PromoterError ? error : mapGitHubError(error, `enabling auto-merge on PR #${pr.number}`);
    logFailure(log, failure, "auto-merge not enabled");
    return `auto-merge could not be enabled (${failure.message}); merge it by hand.`;
  }
}
