/**
 * `release-promoter plan --env staging --commit SHA`: an on: main environment planned offline,
 * with its ancestry checked by real git in a clone given as --source (and said not checked
 * without one).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

const DIGEST = `sha256:${"ab12".repeat(16)}`;
let dir: string;
let infra: string;
let source: string;
let config: string;
const commits: Record<string, string> = {};

const git = (...args: string[]) => execFileSync("git", ["-C", source, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rp-plan-commit-"));
  source = join(dir, "core-api");
  infra = join(dir, "infra");
  mkdirSync(source);
  mkdirSync(join(infra, "envs"), { recursive: true });
  git("init", "-q", "-b", "main");
  for (const name of ["first", "second", "third"]) {
    writeFileSync(join(source, "NOTES.md"), `${name}\n`);
    git("add", "NOTES.md");
    git("commit", "-q", "-m", name);
    commits[name] = git("rev-parse", "HEAD");
  }
  // A commit beside the history (what a force-push to main leaves).
  git("checkout", "-q", "-b", "rewritten", commits.first!);
  writeFileSync(join(source, "NOTES.md"), "rewritten\n");
  git("commit", "-q", "-am", "rewritten");
  commits.rewritten = git("rev-parse", "HEAD");
  git("tag", "core-v1.0.0", commits.first!);
  config = join(dir, "release-promoter.yml");
  writeFileSync(
    config,
    `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image } }
environments:
  staging: { file: envs/staging.tfvars, on: main }
  prod: { file: envs/prod.tfvars }
`,
  );
  writeFileSync(join(infra, "envs/prod.tfvars"), `core_image = "ghcr.io/acme/core-api@sha256:${"1".repeat(64)}" # core-v1.0.0\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const staging = (marker: string) => writeFileSync(join(infra, "envs/staging.tfvars"), `core_image = "ghcr.io/acme/core-api@sha256:${"1".repeat(64)}" # ${marker}\n`);
const plan = (commit: string, ...extra: string[]) =>
  runCli("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--env", "staging", "--commit", commit, "--digest", DIGEST, ...extra);

describe("release-promoter plan of an on: main environment", () => {
  it("prints the one-line diff, marked with the commit, when the commit descends from the one staging runs", async () => {
    staging(`core@${commits.first!.slice(0, 12)}`);
    const result = await plan(commits.third!, "--source", source);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`+core_image = "ghcr.io/acme/core-api@${DIGEST}" # core@${commits.third!.slice(0, 12)}`);
    expect(result.stdout.split("\n").filter((line) => /^[-+][^-+]/.test(line))).toHaveLength(2);
  });

  it("a release tag in staging is a revision too: the commit must descend from the tagged one", async () => {
    staging("core-v1.0.0");
    expect((await plan(commits.second!, "--source", source)).code).toBe(0);
  });

  it.each([
    ["an older commit", "third", "first", /refused \(commit_not_descendant\): staging runs core at core@[0-9a-f]{12}, which is newer than/],
    ["a force-pushed main", "second", "rewritten", /refused \(commit_not_descendant\): [0-9a-f]{12}, the head of acme\/core-api's main, does not descend from core@/],
  ])("refuses %s", async (_, running, head, message) => {
    staging(`core@${commits[running]!.slice(0, 12)}`);
    const result = await plan(commits[head]!, "--source", source, "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "refused", code: "commit_not_descendant" });
    expect((await plan(commits[head]!, "--source", source)).stderr).toMatch(message);
  });

  it("without --source the ancestry is not checked, and stderr says so", async () => {
    staging(`core@${commits.third!.slice(0, 12)}`);
    const result = await plan(commits.first!);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^not checked: that [0-9a-f]{12} descends from core@[0-9a-f]{12} \(pass --source DIR/);
  });

  it("usage: a tag environment wants --tag; an unknown environment lists the valid ones", async () => {
    const prod = await runCli("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--env", "prod", "--commit", commits.first!, "--digest", DIGEST);
    expect(prod).toMatchObject({ code: 2 });
    expect(prod.stderr).toContain("prod is promoted by tags (on: tag); pass --tag");
    const nope = await runCli("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--env", "nope", "--commit", commits.first!, "--digest", DIGEST);
    expect(nope.stderr).toContain("its environments: staging, prod");
  });
});
