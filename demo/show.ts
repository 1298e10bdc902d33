/** How the demo prints what a user would see on GitHub, and the list of things it checked. */
import type { ProbotOctokit } from "probot";

type Octokit = InstanceType<typeof ProbotOctokit>;

const indent = (text: string, prefix = "    "): string =>
  text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");

export function heading(text: string): void {
  console.log(`\n${text}\n${"─".repeat(Math.min(text.length, 100))}`);
}

export interface ChangedFile {
  filename: string;
  additions: number;
  deletions: number;
  patch?: string | undefined;
}

/** Prints a PR as its page shows it: title, branch, body, then the diff (GitHub's compare API). */
export async function showPullRequest(
  octokit: Octokit,
  repository: string,
  pr: { number: number; title: string; body: string | null; html_url: string; head: { ref: string }; base: { ref: string } },
): Promise<ChangedFile[]> {
  const [owner = "", repo = ""] = repository.split("/");
  console.log(`\nPR #${pr.number} in ${repository}: ${pr.title}`);
  console.log(`  ${pr.html_url}  (${pr.head.ref} → ${pr.base.ref})`);
  console.log(indent(pr.body ?? "", "  │ "));
  const comparison = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${pr.base.ref}...${pr.head.ref}` });
  const files = (comparison.data.files ?? []) as ChangedFile[];
  for (const file of files) {
    console.log(`\n  diff ${file.filename} (+${file.additions} −${file.deletions})`);
    // Lockfiles are long: show their changed lines only.
    const lines = (file.patch ?? "").split("\n");
    const shown = file.filename.endsWith("-lock.json") ? lines.filter((line) => /^[-+@]/.test(line)) : lines;
    console.log(indent(shown.join("\n")));
  }
  return files;
}

/** Prints the app's check run on a commit, as the commit's checks tab shows it. */
export async function showCheckRun(octokit: Octokit, repository: string, commit: string): Promise<void> {
  const [owner = "", repo = ""] = repository.split("/");
  const runs = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: commit, check_name: "release-promoter" });
  for (const run of runs.data.check_runs) {
    console.log(`\ncheck run "${run.name}" on ${repository}@${commit.slice(0, 12)}: ${run.status}${run.conclusion ? ` / ${run.conclusion}` : ""}`);
    console.log(`  ${run.output.title ?? ""}`);
    console.log(indent(run.output.summary ?? "", "  │ "));
  }
}

export class Checklist {
  private readonly results: Array<{ ok: boolean; what: string }> = [];

  expect(ok: boolean, what: string): void {
    this.results.push({ ok, what });
  }

  get ok(): boolean {
    return this.results.every((result) => result.ok);
  }

  /** Prints every check; true when all passed. */
  report(): boolean {
    heading("Checked");
    for (const result of this.results) console.log(`${result.ok ? "✔" : "✘"} ${result.what}`);
    const failed = this.results.filter((result) => !result.ok).length;
    console.log(failed === 0 ? `\nAll ${this.results.length} checks passed.` : `\n${failed} of ${this.results.length} checks FAILED.`);
    return failed === 0;
  }
}
