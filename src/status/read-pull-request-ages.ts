import { mapGitHubError } from "../github/map-github-error.js";
import type { Octokit, RepositoryName } from "../github/octokit.js";

/**
 * When each of these PRs of `repository` was opened (createdAt), in one query; the sweep's read
 * does not carry it. A PR GitHub does not return gets null.
 */
export async function readPullRequestAges(octokit: Octokit, repository: RepositoryName, numbers: number[]): Promise<Map<number, string | null>> {
  const ages = new Map<number, string | null>();
  if (numbers.length === 0) return ages;
  const variables: Record<string, string | number> = { owner: repository.owner, name: repository.name };
  const declarations = ["$owner: String!", "$name: String!"];
  const fields = numbers.map((number, i) => {
    variables[`n${i}`] = number;
    declarations.push(`$n${i}: Int!`);
    return `\n    p${i}: pullRequest(number: $n${i}) {\n      createdAt\n    }`;
  });
  const document = `query ReadPullRequestAges(${declarations.join(", ")}) {\n  repository(owner: $owner, name: $name) {${fields.join("")}\n  }\n}`;
  let data: { repository: Record<string, { createdAt: string } | null> | null };
  try {
    data = await octokit.graphql(document, variables);
  } catch (error) {
    throw mapGitHubError(error, `reading the promotion PRs of ${repository.owner}/${repository.name}`);
  }
  numbers.forEach((number, i) => ages.set(number, data.repository?.[`p${i}`]?.createdAt ?? null));
  return ages;
}
