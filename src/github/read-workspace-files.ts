import { workspacePackageJsonPaths } from "../consumers/plan-npm-bump.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";
import { parseJsonText } from "../editors/json-text.js";

/** Whether a root package.json declares npm workspaces. */
export function hasWorkspaces(rootPackageJson: string): boolean {
  try {
    const data = parseJsonText(rootPackageJson) as { workspaces?: unknown };
    return data.workspaces !== undefined;
  } catch {
    return false;
  }
}

export function readFilesDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$e${i}: String!`);
  const fields = Array.from(
    { length: count },
    (_, i) => `
    f${i}: object(expression: $e${i}) {
      ... on Blob {
        text
      }
    }`,
  );
  return `query ReadWorkspaceFiles($owner: String!, $name: String!, ${variables.join(", ")}) {
  repository(owner: $owner, name: $name) {${fields.join("")}
  }
}`;
}

/**
 * The workspace package.json files of a consumer at `oid`: two requests, the recursive tree
 * (paths only) and one GraphQL read of the matching files. Returns path → text, root excluded.
 */
export async function readWorkspaceFiles(octokit: Octokit, repository: RepositoryName, oid: string, rootPackageJson: string): Promise<Record<string, string>> {
  const action = `reading the workspaces of ${repository.owner}/${repository.name}`;
  try {
    const tree = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      owner: repository.owner,
      repo: repository.name,
      tree_sha: oid,
      recursive: "1",
    });
    const paths = tree.data.tree.filter((entry) => entry.type === "blob" && entry.path !== undefined).map((entry) => entry.path!);
    const wanted = workspacePackageJsonPaths(rootPackageJson, paths).filter((path) => path !== "package.json");
    if (wanted.length === 0) return {};
    const variables: Record<string, string> = { owner: repository.owner, name: repository.name };
    wanted.forEach((path, i) => (variables[`e${i}`] = `${oid}:${path}`));
    const data = await octokit.graphql<{ repository: Record<string, { text: string | null } | null> }>(readFilesDocument(wanted.length), variables);
    const files: Record<string, string> = {};
    wanted.forEach((path, i) => {
      const text = data.repository[`f${i}`]?.text;
      if (typeof text === "string") files[path] = text;
    });
    return files;
  } catch (error) {
    throw mapGitHubError(error, action);
  }
}
