/**
 * The baseline a platform team would otherwise write: the usual tag workflow of an "open a PR
 * in infra" GitHub Action. It trusts the tag, resolves the digest, then read the branch, read
 * the file, create a branch, write the file through the contents API, open the PR: five GitHub
 * requests, the steps of the common actions. It runs against the same stand-in as the app,
 * with an Octokit like the one `actions/github-script` gives (no throttling, no retries).
 * It does not check the tag's repository or branch, verify the edit, or report on the commit.
 */
import { Octokit } from "@octokit/rest";

export interface BaselineInput {
  octokit: Octokit;
  owner: string;
  repo: string;
  file: string;
  variable: string;
  image: string;
  tag: string;
  /** The digest, resolved the way the workflow would (a registry HEAD), passed in. */
  digest: string;
}

export function baselineOctokit(apiUrl: string, token: string): Octokit {
  return new Octokit({ baseUrl: apiUrl, auth: token, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
}

/** Runs the workflow's GitHub steps; returns the PR number. */
export async function runBaselineWorkflow(input: BaselineInput): Promise<number> {
  const { octokit, owner, repo } = input;
  const main = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
  const file = await octokit.rest.repos.getContent({ owner, repo, path: input.file, ref: "main" });
  const current = file.data as { content: string; sha: string };
  const text = Buffer.from(current.content, "base64").toString("utf8");
  // The workflow's edit: a regex replace of the variable's line (what `sed -i` would do).
  const updated = text.replace(new RegExp(`^${input.variable}\\s*=.*$`, "m"), `${input.variable} = "${input.image}@${input.digest}" # ${input.tag}`);
  const branch = `bump/${input.tag}`;
  await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: main.data.object.sha });
  await octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path: input.file,
    branch,
    message: `Promote ${input.tag}`,
    content: Buffer.from(updated, "utf8").toString("base64"),
    sha: current.sha,
  });
  const pr = await octokit.rest.pulls.create({ owner, repo, head: branch, base: "main", title: `Promote ${input.tag}`, body: `Promotes ${input.tag}.` });
  return pr.data.number;
}
