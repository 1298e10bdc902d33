import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, copyFixtureInfra, runCli } from "./cli-harness.js";

const DIGEST = `sha256:${"ab12".repeat(16)}`;
let infra: string;
let config: string;

beforeAll(() => {
  ({ infra, config } = copyFixtureInfra("rp-cli-"));
});
afterAll(() => rmSync(infra, { recursive: true, force: true }));

const run = runCli;

const plan = (...extra: string[]) =>
  run("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST, ...extra);

describe("release-promoter plan", () => {
  it("prints the unified diff of the one line it would change, and writes nothing", async () => {
    const before = readFileSync(join(infra, "envs/prod.tfvars"), "utf8");
    const result = await plan();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatchInlineSnapshot(`
      "--- a/envs/prod.tfvars
      +++ b/envs/prod.tfvars
      @@ -1,7 +1,7 @@
       # Production. Each *_image line is owned by release-promoter; edit others freely.
       region = "eu-west-1"
       
      -core_image = "ghcr.io/acme/core-api@sha256:1111111111111111111111111111111111111111111111111111111111111111" # core-v0.9.0
      +core_image = "ghcr.io/acme/core-api@sha256:ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12" # core-v0.10.0
       web_image  = "ghcr.io/acme/web-ui@sha256:2222222222222222222222222222222222222222222222222222222222222222" # web-v1.4.1
       
       replicas = {
      "
    `);
    expect(readFileSync(join(infra, "envs/prod.tfvars"), "utf8")).toBe(before);
  });

  it("--json prints one object with the whole new file, branch, title and body", async () => {
    const result = await plan("--json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      outcome: "change",
      file: "envs/prod.tfvars",
      branch: "release-promoter/prod/core",
      title: "Promote core v0.10.0 to prod",
    });
    expect(json.content).toContain(`core_image = "ghcr.io/acme/core-api@${DIGEST}" # core-v0.10.0`);
    expect(json.body).toContain("| Version | v0.9.0 → v0.10.0 |");
  });

  it.each([
    [["--tag", "core-v0.8.0"], 1, "refused (version_downgrade): prod runs core v0.9.0, newer than v0.8.0"],
    [["--tag", "core-v1.2"], 1, "refused (invalid_tag): Tag \"core-v1.2\" is refused"],
    [["--repository", "acme/web-ui"], 1, "refused (wrong_repository): Tag core-v0.10.0 was pushed in acme/web-ui"],
    [["--tag", "core-v1.0.0-rc.1"], 1, "refused (prerelease_not_allowed): core-v1.0.0-rc.1 is a prerelease"],
    [["--digest", "sha256:ABC"], 2, "--digest must be sha256:<64 lowercase hex>"],
    [["--env", "staging"], 2, "--env: no environment staging in"],
    [["--infra", "/nonexistent-infra"], 2, "--infra: /nonexistent-infra does not exist"],
    [["--frobnicate"], 2, "Unknown option '--frobnicate'"],
  ])("%j → exit %i", async (override, code, message) => {
    const args = ["plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST];
    for (let i = 0; i < override.length; i += 2) {
      const at = args.indexOf(override[i]!);
      if (at >= 0 && override[i + 1] !== undefined) args[at + 1] = override[i + 1]!;
      else args.push(...override.slice(i, i + 2));
    }
    const result = await run(...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });

  it("wrong paths are usage errors: exit 2, one line naming the argument and where the usage is, no stack trace", async () => {
    const base = ["--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST];
    const cases: Array<[string[], string]> = [
      [["--config", infra, "--infra", infra], `--config: ${infra} is a directory, not a file`],
      [["--config", join(config, "x.yml"), "--infra", infra], "--config: "],
      [["--config", config, "--infra", config], `--infra: ${config} is not a directory`],
      [["--config", join(infra, "nope.yml"), "--infra", infra], "does not exist"],
    ];
    for (const [paths, message] of cases) {
      const result = await run("plan", ...paths, ...base);
      expect(result.code, message).toBe(2);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toEqual([expect.stringContaining(message), 'Run "release-promoter plan --help" for usage.']);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--env naming an unknown environment lists the environments there are", async () => {
    const result = await run("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST, "--env", "staging");
    expect(result.stderr).toMatch(/its environments: prod\)/);
  });

  it("--json carries the refusal's code", async () => {
    const result = await run("plan", "--config", config, "--infra", infra, "--repository", "acme/web-ui", "--tag", "core-v0.10.0", "--digest", DIGEST, "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "refused", code: "wrong_repository" });
  });

  it("reports no change when the file already holds the digest", async () => {
    const result = await run("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.9.0", "--digest", `sha256:${"1".repeat(64)}`);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^no change: envs\/prod\.tfvars already runs core at sha256:1{64} \(v0\.9\.0\)\.\n$/);
  });

  it("exits 2 with every problem listed for an invalid config", async () => {
    const bad = join(infra, "bad.yml");
    writeFileSync(bad, "services:\n  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, imageTag: '{branch}' }\nenvironments: { prod: { file: envs/prod.tfvars } }\n");
    const result = await run("plan", "--config", bad, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("services.core.variable: environment prod is a tfvars file that promotes core");
    expect(result.stderr).toContain("services.core.imageTag: may only hold");
  });

  it("runs as `npx release-promoter` from the project root, with the documented exit status", () => {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "ignore" });
    const ok = spawnSync("npx", ["--no-install", "release-promoter", "plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST], { cwd: ROOT, encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("+core_image =");
    const refused = spawnSync("npx", ["--no-install", "release-promoter", "plan", "--config", config, "--infra", infra, "--repository", "acme/web-ui", "--tag", "core-v0.10.0", "--digest", DIGEST], { cwd: ROOT, encoding: "utf8" });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^refused \(wrong_repository\): /m);
  }, 60_000);
});
