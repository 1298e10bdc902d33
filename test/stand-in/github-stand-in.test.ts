/**
 * The stand-in refuses what GitHub would refuse (checked against GitHub's own descriptions),
 * keeps real state across both APIs, and counts and faults requests as documented.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestOctokit } from "../helpers/app-server.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { type GitHubStandIn, moveBranchBefore, secondaryRateLimit, serverError, startGitHubStandIn } from "./server.js";

const privateKey = throwawayPrivateKey();
const INSTALLATION = 3;

describe("the GitHub stand-in", () => {
  let github: GitHubStandIn;
  let octokit: InstanceType<typeof TestOctokit>;
  let problems: string[];

  beforeEach(async () => {
    problems = [];
    github = await startGitHubStandIn({ appId: 42, privateKey, onProblem: (problem) => problems.push(problem) });
    github.addInstallation(INSTALLATION);
    github.world.addRepository({ fullName: "acme/infra", installationId: INSTALLATION, files: { "envs/prod.tfvars": 'region = "eu-west-1"\n' } });
    octokit = new TestOctokit({ baseUrl: github.apiUrl, auth: { appId: 42, privateKey, installationId: INSTALLATION } });
  });

  afterEach(async () => {
    await github.stop();
  });

  async function status(promise: Promise<unknown>): Promise<number> {
    try {
      await promise;
      return 200;
    } catch (error) {
      return (error as { status: number }).status;
    }
  }

  it("refuses a REST body GitHub's description does not allow, and says so loudly", async () => {
    const head = github.world.headOf("acme/infra")!;
    const answer = await status(
      octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "infra", name: "release-promoter", head_sha: head, status: "done" as "completed" }),
    );
    expect(answer).toBe(422);
    expect(problems).toEqual([expect.stringMatching(/check-runs body does not match GitHub's schema: \/status must be equal to one of the allowed values/)]);
    expect(() => github.assertNoProblems()).toThrow(/refused requests/);
    expect(github.world.checkRuns).toHaveLength(0);
  });

  it("refuses undocumented body fields, query parameters and routes", async () => {
    const head = github.world.headOf("acme/infra")!;
    await status(octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "infra", name: "x", head_sha: head, colour: "red" }));
    await status(octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "acme", repo: "infra", path: "envs/prod.tfvars", branch: "main" }));
    expect(await status(octokit.request("GET /repos/{owner}/{repo}/not-a-thing", { owner: "acme", repo: "infra" }))).toBe(404);
    expect(problems).toEqual([
      expect.stringMatching(/does not document body fields: colour/),
      expect.stringMatching(/does not document query parameters: branch/),
      expect.stringMatching(/GET \/repos\/acme\/infra\/not-a-thing is not a route of GitHub's REST API description/),
    ]);
  });

  it("refuses a GraphQL document or variables GitHub's schema does not allow", async () => {
    await expect(octokit.graphql(`query Broken { repository(owner: "acme", name: "infra") { defaultBranch } }`)).rejects.toThrow(/defaultBranch/);
    await expect(
      octokit.graphql(`query Vars($n: Int!) { repository(owner: "acme", name: "infra") { issues(first: $n) { totalCount } } }`, { n: "ten" }),
    ).rejects.toThrow();
    expect(problems[0]).toMatch(/Broken: GraphQL document refused by GitHub's schema: Cannot query field "defaultBranch" on type "Repository"/);
    expect(problems[1]).toMatch(/Vars: .*Int cannot represent non-integer value: "ten"/);
  });

  it("says so when asked for a field GitHub has but the stand-in does not model, instead of answering null", async () => {
    await expect(octokit.graphql(`query Stars { repository(owner: "acme", name: "infra") { stargazerCount } }`)).rejects.toThrow();
    expect(problems).toEqual([expect.stringMatching(/stand-in does not model Repository.stargazerCount/)]);
  });

  it("gives installation tokens only for a JWT signed with the app's key", async () => {
    const stranger = new TestOctokit({ baseUrl: github.apiUrl, auth: { appId: 42, privateKey: throwawayPrivateKey(), installationId: INSTALLATION } });
    expect(await status(stranger.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "infra" }))).toBe(401);
    expect(problems).toEqual([expect.stringMatching(/installation token refused: .*signature/)]);
  });

  it("keeps state: a commit made through GraphQL is what the next REST read returns; a stale head is refused", async () => {
    const head = github.world.headOf("acme/infra")!;
    const commit = `mutation Commit($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }`;
    const input = (expectedHeadOid: string) => ({
      branch: { repositoryNameWithOwner: "acme/infra", branchName: "main" },
      expectedHeadOid,
      message: { headline: "Bump" },
      fileChanges: { additions: [{ path: "envs/prod.tfvars", contents: Buffer.from('region = "us-east-1"\n').toString("base64") }] },
    });
    const made = await octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(commit, { input: input(head) });
    const file = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "acme", repo: "infra", path: "envs/prod.tfvars" });
    expect(Buffer.from((file.data as { content: string }).content, "base64").toString()).toBe('region = "us-east-1"\n');
    expect(github.world.headOf("acme/infra")).toBe(made.createCommitOnBranch.commit.oid);

    await expect(octokit.graphql(commit, { input: input(head) })).rejects.toThrow(/Expected branch to point to/);
    expect(problems).toEqual([]); // a GitHub-style refusal, not a stand-in problem
  });

  it("moves a branch under a request when asked (moveBranchBefore), so the app's expected head is stale", async () => {
    const head = github.world.headOf("acme/infra")!;
    github.fault(moveBranchBefore("Commit", "acme/infra", "main"));
    const commit = `mutation Commit($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }`;
    await expect(
      octokit.graphql(commit, {
        input: { branch: { repositoryNameWithOwner: "acme/infra", branchName: "main" }, expectedHeadOid: head, message: { headline: "Bump" }, fileChanges: { additions: [] } },
      }),
    ).rejects.toThrow(/Expected branch to point to/);
    expect(github.world.headOf("acme/infra")).not.toBe(head);
    expect(github.world.mustRepository("acme/infra").git.getCommit(github.world.headOf("acme/infra")!).message).toBe("Concurrent push");
  });

  it("refuses a contents write with a stale blob sha (409), as GitHub does", async () => {
    const answer = await status(
      octokit.request("PUT /repos/{owner}/{repo}/contents/{path}", { owner: "acme", repo: "infra", path: "envs/prod.tfvars", message: "x", content: "eA==", sha: "0".repeat(40) }),
    );
    expect(answer).toBe(409);
  });

  it("answers faults and counts requests by kind", async () => {
    github.fault(secondaryRateLimit("/repos/{owner}/{repo}", 7)).fault(serverError("/repos/{owner}/{repo}/pulls", 502));
    const limited = await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "infra" }).catch((error: { status: number; response: { headers: Record<string, string> } }) => error);
    expect((limited as { status: number }).status).toBe(403);
    expect((limited as { response: { headers: Record<string, string> } }).response.headers["retry-after"]).toBe("7");
    expect(await status(octokit.request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "infra" }))).toBe(502);
    expect(await status(octokit.request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "infra" }))).toBe(200);
    const head = github.world.headOf("acme/infra")!;
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "infra", name: "x", head_sha: head, status: "in_progress" });
    expect(github.counts()).toEqual({ token: 1, read: 3, write: 1, contentCreating: 1, total: 4 });
  });

  it("adds the configured latency to every request", async () => {
    github.latencyMs = 60;
    await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "infra" }); // token + request
    const started = performance.now();
    await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "infra" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("merges a PR through REST with git's three-way rule: apart edits merge, adjacent ones are not mergeable (405)", async () => {
    github.world.commitOn("acme/infra", { "envs/prod.tfvars": 'a = "0"\nb = "0"\nc = "0"\nd = "0"\n' });
    const branch = (name: string, from: string, to: string) => {
      const repository = github.world.mustRepository("acme/infra");
      repository.git.refs.set(`refs/heads/${name}`, repository.git.refs.get("refs/heads/main")!);
      github.world.commitOn("acme/infra", { "envs/prod.tfvars": github.world.fileAt("acme/infra", "envs/prod.tfvars")!.replace(from, to) }, { branch: name });
      return github.world.openPullRequest(repository, { title: name, body: "", head: name, base: "main" });
    };
    const [first, adjacent, apart] = [branch("first", 'a = "0"', 'a = "1"'), branch("adjacent", 'b = "0"', 'b = "1"'), branch("apart", 'd = "0"', 'd = "1"')];
    const merge = (pull_number: number) => octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: "infra", pull_number });
    expect((await merge(first.number)).data).toMatchObject({ merged: true });
    expect((await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "acme", repo: "infra", pull_number: adjacent.number })).data.mergeable).toBe(false);
    expect(await status(merge(adjacent.number))).toBe(405);
    expect(adjacent.state).toBe("open");
    expect((await merge(apart.number)).data).toMatchObject({ merged: true });
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars")).toBe('a = "1"\nb = "0"\nc = "0"\nd = "1"\n');
    expect(problems).toEqual([]);
  });

  it("merges a PR through GraphQL (mergePullRequest) by the same rule, with mergeStateStatus CLEAN or DIRTY", async () => {
    github.world.commitOn("acme/infra", { "envs/prod.tfvars": 'a = "0"\nb = "0"\nc = "0"\n' });
    const repository = github.world.mustRepository("acme/infra");
    const branch = (name: string, from: string, to: string) => {
      repository.git.refs.set(`refs/heads/${name}`, repository.git.refs.get("refs/heads/main")!);
      github.world.commitOn("acme/infra", { "envs/prod.tfvars": github.world.fileAt("acme/infra", "envs/prod.tfvars")!.replace(from, to) }, { branch: name });
      return github.world.openPullRequest(repository, { title: name, body: "", head: name, base: "main" });
    };
    const [first, adjacent] = [branch("first", 'a = "0"', 'a = "1"'), branch("adjacent", 'b = "0"', 'b = "1"')];
    const read = async (number: number) =>
      (
        await octokit.graphql<{ repository: { pullRequest: { id: string; state: string; mergeable: string; mergeStateStatus: string } } }>(
          `query($number: Int!) { repository(owner: "acme", name: "infra") { pullRequest(number: $number) { id state mergeable mergeStateStatus } } }`,
          { number },
        )
      ).repository.pullRequest;
    const merge = (pullRequestId: string) =>
      octokit.graphql<{ mergePullRequest: { pullRequest: { state: string } } }>(
        `mutation($id: ID!) { mergePullRequest(input: { pullRequestId: $id }) { pullRequest { state } } }`,
        { id: pullRequestId },
      );
    expect(await read(adjacent.number)).toMatchObject({ mergeable: "MERGEABLE", mergeStateStatus: "CLEAN" });
    expect((await merge((await read(first.number)).id)).mergePullRequest.pullRequest.state).toBe("MERGED");
    expect(await read(adjacent.number)).toMatchObject({ state: "OPEN", mergeable: "CONFLICTING", mergeStateStatus: "DIRTY" });
    await expect(merge((await read(adjacent.number)).id)).rejects.toThrow(/not mergeable/);
    expect(adjacent.state).toBe("open");
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars")).toBe('a = "1"\nb = "0"\nc = "0"\n');
    expect(problems).toEqual([]);
  });
});

