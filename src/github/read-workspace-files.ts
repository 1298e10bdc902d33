import { workspacePackageJsonPaths } from "../consumers/plan-npm-bump.js";
import { isPromoterError } from "../errors.js";
import { mapGitHubError } from "./map-github-error.js";
import { readBlobs } from "./read-blobs.js";
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

/**
 * The workspace package.json files of a consumer at `oid`: two requests, the recursive tree
 * (paths only) and one GraphQL read of the matching files (readBlobs: a binary one is refused,
 * never taken as missing). Returns path → text, root excluded.
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
    const texts = await readBlobs(octokit, repository, wanted.map((path) => `${oid}:${path}`));
    const files: Record<string, string> = {};
    wanted.forEach((path, i) => {
      const text = texts[i];
      if (text !== undefined) files[path] = text;
    });
    return files;
  } catch (error) {
    if (isPromoterError(error)) throw error;
    throw mapGitHubError(error, action);
  }
}
