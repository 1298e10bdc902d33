/**
 * `release-promoter validate`: the app's config validation, every problem at once, and with
 * --infra the app's own tfvars reader over each environment file, for the infra repository's CI.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixtureInfra, runCli } from "./cli-harness.js";

let infra: string;
let config: string;

beforeAll(() => {
  ({ infra, config } = copyFixtureInfra("rp-validate-"));
});
afterAll(() => rmSync(infra, { recursive: true, force: true }));

const run = runCli;

describe("release-promoter validate", () => {
  it("a valid config and infra checkout → exit 0 and what it checked", async () => {
    expect(await run("validate", "--config", config)).toEqual({ code: 0, stdout: "valid: 2 services, 1 environment\n", stderr: "" });
    expect(await run("validate", "--config", config, "--infra", infra)).toEqual({
      code: 0,
      stdout: "valid: 2 services, 1 environment; every service's assignment found in 1 environment file\n",
      stderr: "",
    });
  });

  it("an invalid config → exit 2 with every problem, with its path", async () => {
    const bad = join(infra, "bad.yml");
    writeFileSync(bad, "services:\n  core: { repository: acme/core-api, image: ghcr.io/acme/core-api }\n  web: { repository: acme/web-ui, image: ghcr.io/acme/web-ui, variable: web_image, imageTag: '{branch}' }\nenvironments:\n  prod: { file: envs/prod.tfvars }\n  eu: { file: eu/values.yaml, kind: helm, services: [web] }\n");
    const result = await run("validate", "--config", bad, "--json");
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as { valid: boolean; problems: string[] };
    expect(json.valid).toBe(false);
    expect(json.problems).toEqual([
      expect.stringMatching(/^services\.web\.imageTag: may only hold/),
      "services.core.variable: environment prod is a tfvars file that promotes core: set services.core.variable",
      "services.web.targets.helm.path: environment eu is a helm file that promotes web: set services.web.targets.helm.path",
    ]);
  });

  it("with --infra: a service whose variable an environment file lacks, and a missing file, are problems too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rp-validate-infra-"));
    try {
      cpSync(infra, dir, { recursive: true });
      writeFileSync(join(dir, "envs/prod.tfvars"), 'core_image = "ghcr.io/acme/core-api@sha256:' + "1".repeat(64) + '" # core-v0.9.0\n');
      const two = join(dir, "two.yml");
      writeFileSync(
        two,
        "services:\n  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }\n  web: { repository: acme/web-ui, image: ghcr.io/acme/web-ui, variable: web_image }\nenvironments:\n  prod: { file: envs/prod.tfvars }\n  staging: { file: envs/staging.tfvars }\n",
      );
      const result = await run("validate", "--config", two, "--infra", dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^invalid \(2 problems\):\n- envs\/prod\.tfvars: web: .*\(variable_missing\)\n- environments\.staging\.file: envs\/staging\.tfvars does not exist in /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("wrong paths are usage errors: exit 2, one line naming the argument", async () => {
    for (const [args, message] of [
      [["--config", infra], "--config: "],
      [["--config", config, "--infra", config], "--infra: "],
      [["--infra", infra], "missing --config"],
    ] as const) {
      const result = await run("validate", ...args);
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(message), 'Run "release-promoter validate --help" for usage.']);
    }
  });
});
