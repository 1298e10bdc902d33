import { CONFIG_PATH } from "../config/parse-config.js";
import { PromoterError } from "../errors.js";
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
        ... on Commit {
          checkSuites(first: 10, filterBy: { checkName: $checkName }) {
            nodes {
              checkRuns(last: 1, filterBy: { checkName: $checkName }) {
                nodes {
                  status
                  conclusion
                  title
                  summary
                }
              }
            }
          }
        }
      }
    }
  }
`;

interface Response {
  repository: {
    config: { text: string | null; isBinary: boolean | null } | null;
    commit: {
      checkSuites?: { nodes: Array<{ checkRuns: { nodes: Array<{ status: string; conclusion: string | null; title: string | null; summary: string | null } | null> | null } | null } | null> | null } | null;
    } | null;
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
  const runs = (data.repository.commit?.checkSuites?.nodes ?? []).flatMap((suite) => suite?.checkRuns?.nodes ?? []).filter((run) => run !== null);
  const last = runs.at(-1);
  return {
    text: data.repository.config?.text ?? undefined,
    reported:
      last === undefined || last.status !== "COMPLETED" || last.conclusion === null
        ? undefined
        : { conclusion: last.conclusion.toLowerCase(), title: last.title ?? "", summary: last.summary ?? "" },
  };
}
