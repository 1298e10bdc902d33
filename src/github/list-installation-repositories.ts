import { mapGitHubError } from "./map-github-error.js";
import type { Octokit } from "./octokit.js";

export interface InstallationRepository {
  fullName: string;
  archived: boolean;
}

/** Every repository the installation can see (for consumer discovery), 100 per request. */
export async function listInstallationRepositories(octokit: Octokit): Promise<InstallationRepository[]> {
  try {
    const repositories = await octokit.paginate("GET /installation/repositories", { per_page: 100 });
    return repositories.map((repository) => ({ fullName: repository.full_name, archived: repository.archived ?? false }));
  } catch (error) {
    throw mapGitHubError(error, "listing the installation's repositories");
  }
}
