/**
 * The sweep's pure decisions (src/core/plan-sweep.ts): which keys exist, what a key holds against
 * the service's tags, whether a candidate tag may be promoted again, and what the promotion
 * branch's PRs say. The sweep itself only reads and enqueues; these are its rules.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { type BranchPullRequest, decideKey, isEligible, judgeKey, sweepKeys } from "../../src/core/plan-sweep.js";
import { parseReleaseTag } from "../../src/core/parse-tag.js";
import type { ReadRecord } from "../../src/core/promotion-record.js";

const config = parseConfig(`
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }
  web: { repository: acme/web-ui, image: ghcr.io/acme/web-ui, variable: web_image }
environments:
  staging: { file: envs/staging.tfvars, prerelease: true }
  prod: { file: envs/prod.tfvars, services: [core] }
`);
const DIGEST = `sha256:${"a".repeat(64)}`;
const COMMIT = "c".repeat(40);
const file = (marker: string | undefined) => `core_image = "ghcr.io/acme/core-api@${DIGEST}"${marker === undefined ? "" : ` # ${marker}`}\nweb_image = "x"\n`;
const tags = (...names: string[]): Array<{ name: string; commit: string | undefined }> => names.map((name) => ({ name, commit: COMMIT }));
const [stagingCore, , prodCore] = sweepKeys(config);

describe("sweepKeys", () => {
  it("is every (environment, service) the config promotes, in config order, with its branch and file", () => {
    expect(sweepKeys(config)).toEqual([
      { environment: "staging", service: "core", branch: "release-promoter/staging/core", file: "envs/staging.tfvars" },
      { environment: "staging", service: "web", branch: "release-promoter/staging/web", file: "envs/staging.tfvars" },
      { environment: "prod", service: "core", branch: "release-promoter/prod/core", file: "envs/prod.tfvars" },
    ]);
  });
});

describe("judgeKey", () => {
  const judge = (key = prodCore!, t: Array<{ name: string; commit: string | undefined }> = tags("core-v1.0.0"), text: string | undefined = file("core-v1.0.0")) => judgeKey({ config, key, tags: t, fileText: text });

  it("is converged when the file runs the highest release", () => {
    expect(judge(prodCore, tags("core-v0.9.0", "core-v1.0.0"), file("core-v1.0.0"))).toEqual({ kind: "converged", reason: "runs v1.0.0, the highest release" });
  });

  it("is behind with every newer candidate, highest first, ignoring other prefixes, non-strict tags and untagged names", () => {
    const verdict = judge(prodCore, [...tags("core-v1.1.0", "core-v0.9.0", "core-v1.10.0", "web-v9.0.0", "core-v2.0", "core-v1.2.0+build.1"), { name: "core-v3.0.0", commit: undefined }], file("core-v1.0.0"));
    expect(verdict.kind).toBe("behind");
    expect(verdict.kind === "behind" && verdict.candidates.map((c) => c.tag)).toEqual(["core-v1.10.0", "core-v1.1.0"]);
    expect(verdict.kind === "behind" && verdict.current).toBe("1.0.0");
  });

  it("never proposes a lower version, even when it is the only tag", () => {
    expect(judge(prodCore, tags("core-v0.9.0"), file("core-v1.0.0")).kind).toBe("converged");
  });

  it("takes prereleases only where the environment allows them", () => {
    expect(judge(prodCore, tags("core-v1.1.0-rc.1"), file("core-v1.0.0")).kind).toBe("converged");
    const staging = judge(stagingCore, tags("core-v1.1.0-rc.1"), file("core-v1.0.0"));
    expect(staging.kind === "behind" && staging.candidates.map((c) => c.tag)).toEqual(["core-v1.1.0-rc.1"]);
  });

  it("treats a line without a marker as version unknown: every release is a candidate", () => {
    const verdict = judge(prodCore, tags("core-v0.1.0", "core-v0.2.0"), file(undefined));
    expect(verdict.kind === "behind" && verdict.candidates.map((c) => c.tag)).toEqual(["core-v0.2.0", "core-v0.1.0"]);
  });

  it("skips, without guessing, a file it cannot read for the service, a missing file, an invisible repository", () => {
    expect(judge(prodCore, tags("core-v2.0.0"), file("web-v1.0.0"))).toMatchObject({ kind: "skipped", reason: expect.stringContaining("trailing_comment") });
    expect(judgeKey({ config, key: prodCore!, tags: tags("core-v2.0.0"), fileText: undefined })).toMatchObject({ kind: "skipped", reason: "envs/prod.tfvars does not exist on the default branch" });
    expect(judgeKey({ config, key: prodCore!, tags: undefined, fileText: file("core-v1.0.0") })).toMatchObject({ kind: "skipped", reason: "acme/core-api is not visible to the app" });
  });
});

describe("isEligible", () => {
  const run = (status: string, conclusion?: string, title?: string) => ({ onDefaultBranch: true, checkRun: { status, conclusion, title } });

  it.each([
    ["no check run yet", { onDefaultBranch: true, checkRun: undefined }, true],
    ["a run still in progress (a restart interrupted it)", run("IN_PROGRESS"), true],
    ["a successful run (the PR may have been closed or the file changed since)", run("COMPLETED", "success", "core-v1.0.0: PR opened"), true],
    ["a retryable refusal (image_not_found)", run("COMPLETED", "failure", "core-v1.0.0 not promoted to prod: image_not_found"), true],
    ["a retryable refusal (github_unavailable)", run("COMPLETED", "failure", "core-v1.0.0 not promoted: github_unavailable"), true],
    ["a refusal whose title the app did not write", run("COMPLETED", "failure", "something else"), true],
    ["a final refusal (downgrade)", run("COMPLETED", "failure", "core-v1.0.0 not promoted to prod: downgrade"), false],
    ["a final refusal (not_on_default_branch)", run("COMPLETED", "failure", "core-v1.0.0 not promoted: not_on_default_branch"), false],
    ["a tag off the default branch", { onDefaultBranch: false, checkRun: undefined }, false],
  ])("%s → eligible: %s", (_name, probe, eligible) => {
    const result = isEligible("core-v1.0.0", probe);
    expect(result.eligible).toBe(eligible);
    if (!eligible) expect(result.reason).toMatch(/core-v1\.0\.0 (is not on the default branch|was refused \([a-z_]+\); push it again to retry)/);
  });
});

describe("decideKey", () => {
  const wanted = parseReleaseTag("core-v1.1.0");
  const record = (tag: string): ReadRecord => ({ kind: "record", record: { environment: "prod", service: "core", repository: "acme/core-api", tag, commit: COMMIT, digest: DIGEST } });
  const pr = (number: number, state: BranchPullRequest["state"], read: ReadRecord): BranchPullRequest => ({ number, url: `https://github.test/acme/infra/pull/${number}`, state, record: read });

  it("promotes when no PR of the branch is about the wanted tag", () => {
    expect(decideKey(wanted, [])).toEqual({ kind: "promote", tag: "core-v1.1.0" });
    expect(decideKey(wanted, [pr(3, "OPEN", record("core-v1.0.5")), pr(2, "MERGED", record("core-v1.0.0")), pr(1, "OPEN", { kind: "none" })])).toEqual({ kind: "promote", tag: "core-v1.1.0" });
  });

  it("is converged when an open PR already proposes it (zero writes)", () => {
    expect(decideKey(wanted, [pr(4, "OPEN", record("core-v1.1.0"))])).toEqual({ kind: "converged", reason: "PR #4 proposes core-v1.1.0" });
  });

  it("keeps a person's decisions: a PR closed without merging, a merged version changed by hand since", () => {
    expect(decideKey(wanted, [pr(5, "CLOSED", record("core-v1.1.0"))])).toMatchObject({ kind: "converged", reason: expect.stringContaining("closed without merging") });
    expect(decideKey(wanted, [pr(6, "MERGED", record("core-v1.1.0"))])).toMatchObject({ kind: "converged", reason: expect.stringContaining("changed by hand") });
  });

  it("leaves an open PR whose record it cannot read alone (fail closed)", () => {
    expect(decideKey(wanted, [pr(7, "OPEN", { kind: "unreadable", reason: "the promotion record is not JSON" })])).toEqual({ kind: "converged", reason: "the open PR's record cannot be read; it is left as it is" });
  });
});

describe("judgeKey for an on: main environment", () => {
  const mainConfig = parseConfig(`
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }
environments:
  staging: { file: envs/staging.tfvars, on: main }
`);
  const [key] = sweepKeys(mainConfig);
  const HEAD = "89abcdef0123".padEnd(40, "4");
  const judgeMain = (marker: string | undefined, t = tags(), head: string | null = HEAD) => judgeKey({ config: mainConfig, key: key!, tags: t, fileText: file(marker), head: head ?? undefined });

  it("is converged when the file's commit marker is the head of the default branch, or its release tag names the head", () => {
    expect(judgeMain("core@89abcdef0123")).toEqual({ kind: "converged", reason: "runs core@89abcdef0123, the head of the default branch" });
    expect(judgeMain("core-v1.2.0", [{ name: "core-v1.2.0", commit: HEAD }])).toEqual({ kind: "converged", reason: "runs core-v1.2.0, which tags the head of the default branch" });
  });

  it("is behind main otherwise (another commit, a release of another commit, no marker), never judged by tags", () => {
    expect(judgeMain("core@0123456789ab", tags("core-v9.0.0"))).toMatchObject({ kind: "main-behind", head: HEAD });
    expect(judgeMain("core-v1.2.0", [{ name: "core-v1.2.0", commit: COMMIT }])).toMatchObject({ kind: "main-behind" });
    expect(judgeMain(undefined)).toMatchObject({ kind: "main-behind", reason: `runs an unmarked value; the default branch is at 89abcdef0123` });
  });

  it("is skipped when the head could not be read", () => {
    expect(judgeMain("core@0123456789ab", tags(), null)).toMatchObject({ kind: "skipped" });
  });
});
