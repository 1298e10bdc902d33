import { PromoterError } from "../errors.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

export function readBlobsDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$e${i}: String!`);
  const fields = Array.from(
    { length: count },
    (_, i) => `
    f${i}: object(expression: $e${i}) {
      ... on Blob {
        text
        isBinary
      }
    }`,
  );
  return `query ReadBlobs($owner: String!, $name: String!, ${variables.join(", ")}) {
  repository(owner: $owner, name: $name) {${fields.join("")}
  }
}`;
}

/**
 * Text files of one repository by git expression (`<oid>:<path>`), in one GraphQL request.
 * Missing files are undefined; a binary file is refused (the app never edits what it cannot read).
 */
export async function readBlobs(octokit: Octokit, repository: RepositoryName, expressions: string[]): Promise<Array<string | undefined>> {
  if (expressions.length === 0) return [];
  const variables: Record<string, string> = { owner: repository.owner, name: repository.name };
  expressions.forEach((expression, i) => (variables[`e${i}`] = expression));
  let data: { repository: Record<string, { text: string | null; isBinary: boolean | null } | null> | null };
  try {
    data = await octokit.graphql(readBlobsDocument(expressions.length), variables);
  } catch (error) {
    throw mapGitHubError(error, `reading files of ${repository.owner}/${repository.name}`);
  }
  if (data.repository === null) throw new PromoterError("github_forbidden", `${repository.owner}/${repository.name} is not visible to the app.`);
  return expressions.map((expression, i) => {
    const blob = data.repository?.[`f${i}`];
    if (blob === null || blob === undefined) return undefined;
    if (blob.isBinary || blob.text === null) throw new PromoterError("edit_not_isolated", `${expression} in ${repository.owner}/${repository.name} is not a text file.`);
    return blob.text;
  });
}
