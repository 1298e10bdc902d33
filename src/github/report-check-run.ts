import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

export const CHECK_RUN_NAME = "release-promoter";
/** The check run on a service's default-branch commit that an `on: main` environment promotes. */
export const MAIN_CHECK_RUN_NAME = "release-promoter/main";
/** The check run on a promotion PR's head commit in infra: its environment's gates (requires, windows). */
export const GATES_CHECK_RUN_NAME = "release-promoter/gates";
/** The check run on infra commits that change the config. */
export const CONFIG_CHECK_RUN_NAME = "release-promoter/config";
/** The check run on infra's default-branch head that lists the keys a sweep could not reconcile. */
export const SWEEP_CHECK_RUN_NAME = "release-promoter/sweep";

export type CheckConclusion = "success" | "failure" | "neutral";

export interface CheckReport {
  status: "in_progress" | "completed";
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  detailsUrl?: string;
}

// GitHub caps output.summary and output.text at 65535 characters.
const LIMIT = 65_000;
const clip = (text: string): string => (text.length > LIMIT ? `${text.slice(0, LIMIT)}\n…(truncated)` : text);

function body(report: CheckReport) {
  return {
    status: report.status,
    ...(report.status === "completed" ? { conclusion: report.conclusion ?? "neutral", completed_at: new Date().toISOString() } : {}),
    ...(report.detailsUrl === undefined ? {} : { details_url: report.detailsUrl }),
    output: {
      title: report.title.slice(0, 255),
      summary: clip(report.summary),
      ...(report.text === undefined ? {} : { text: clip(report.text) }),
    },
  };
}

/**
 * The check run on the tagged commit: what the person who pushed the tag sees. Created once;
 * updated when a promotion that had to wait completes.
 */
export async function createCheckRun(
  octokit: Octokit,
  repository: RepositoryName,
  headSha: string,
  externalId: string,
  report: CheckReport,
  name: string = CHECK_RUN_NAME,
): Promise<number> {
  try {
    const response = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: repository.owner,
      repo: repository.name,
      name,
      head_sha: headSha,
      external_id: externalId,
      ...body(report),
    });
    return Number(response.data.id);
  } catch (error) {
    throw mapGitHubError(error, `creating the check run on ${repository.owner}/${repository.name}@${headSha.slice(0, 12)}`);
  }
}

export async function updateCheckRun(octokit: Octokit, repository: RepositoryName, checkRunId: number, report: CheckReport): Promise<void> {
  try {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: repository.owner,
      repo: repository.name,
      check_run_id: checkRunId,
      ...body(report),
    });
  } catch (error) {
    throw mapGitHubError(error, `updating check run ${checkRunId} on ${repository.owner}/${repository.name}`);
  }
}
