import { CONFIG_PATH } from "../config/parse-config.js";
import { PromoterError } from "../errors.js";
import { type CommitCheckRuns, LATEST_CHECK_RUN_FRAGMENT, latestCheckRun } from "./latest-check-run.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";
import { CONFIG_CHECK_RUN_NAME } from "./report-check-run.js";

export const READ_CONFIG_AT = /* GraphQL */ `
  query ReadConfigAt($owner: String!, $name: String!, $expression: String!, $oid: GitObjectID!, $checkName: String!) {
    repository(owner: $owner, name: $name) {
      config: object(expression: $expression) {
        ... on Blob {
          text
          isBinary
        }
      }
      commit: object(oid: $oid) {
        ...LatestCheckRun
      }
    }
  }

  ${LATEST_CHECK_RUN_FRAGMENT}
`;

interface Response {
  repository: {
    config: { text: string | null; isBinary: boolean | null } | null;
    commit: CommitCheckRuns | null;
  } | null;
}

export interface ConfigAtCommit {
  /** The config's text at the commit; undefined when the file does not exist there. */
  text: string | undefined;
  /** The latest completed config check run on the commit, to write nothing when it already says the same. */
  reported: { conclusion: string; title: string; summary: string } | undefined;
}

/** One GraphQL read: the config at a commit, and the config check run already on it. */
export async function readConfigAt(octokit: Octokit, repository: RepositoryName, oid: string): Promise<ConfigAtCommit> {
  let data: Response;
  try {
    data = await octokit.graphql<Response>(READ_CONFIG_AT, {
      owner: repository.owner,
      name: repository.name,
      expression: `${oid}:${CONFIG_PATH}`,
      oid,
      checkName: CONFIG_CHECK_RUN_NAME,
    });
  } catch (error) {
    throw mapGitHubError(error, `reading ${CONFIG_PATH} of ${repository.owner}/${repository.name}@${oid.slice(0, 12)}`);
  }
  if (data.repository === null) throw new PromoterError("github_forbidden", `${repository.owner}/${repository.name} is not visible to the app.`);
  if (data.repository.config?.isBinary) throw new PromoterError("config_invalid", `${CONFIG_PATH} is not a text file.`);
  const last = latestCheckRun(data.repository.commit);
  return {
    text: data.repository.config?.text ?? undefined,
    reported:
      last === undefined || last.status !== "COMPLETED" || last.conclusion === undefined
        ? undefined
        : { conclusion: last.conclusion, title: last.title ?? "", summary: last.summary ?? "" },
  };
}
