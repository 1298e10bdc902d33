import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { renderImageTag, selectPromotion } from "../../src/core/select-promotion.js";

const config = parseConfig(`
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }
  worker: { repository: acme/core-api, image: ghcr.io/acme/worker, variable: worker_image, tagPrefix: jobs }
  web: { repository: acme/web-ui, image: ghcr.io/acme/web-ui, variable: web_image }
environments:
  staging: { file: envs/staging.tfvars, prerelease: true }
  prod: { file: envs/prod.tfvars }
  web-only: { file: envs/web.tfvars, services: [web] }
`);

describe("selectPromotion", () => {
  it("maps a tag to its service and the environments that take it", () => {
    const selection = selectPromotion(config, "acme/core-api", "core-v1.0.0");
    expect(selection).toMatchObject({ kind: "promote", serviceName: "core", release: { version: "1.0.0" } });
    expect(selection.kind === "promote" && selection.environments.map((e) => e.name)).toEqual(["staging", "prod"]);
  });

  it("sends prereleases only where they are allowed", () => {
    const selection = selectPromotion(config, "acme/core-api", "core-v1.0.0-rc.1");
    expect(selection.kind === "promote" && selection.environments.map((e) => e.name)).toEqual(["staging"]);
  });

  it("uses tagPrefix, and lets one repository own two services", () => {
    expect(selectPromotion(config, "acme/core-api", "jobs-v2.0.0")).toMatchObject({ serviceName: "worker" });
  });

  it("matches repositories case-insensitively, as GitHub does", () => {
    expect(selectPromotion(config, "ACME/Core-API", "core-v1.0.0")).toMatchObject({ serviceName: "core" });
  });

  it.each([
    ["acme/web-ui", "core-v1.0.0", "wrong_repository"],
    ["acme/fork-of-core", "core-v1.0.0", "wrong_repository"],
    ["acme/core-api", "worker-v1.0.0", "unknown_prefix"],
    ["acme/core-api", "core-v1.0", "invalid_tag"],
  ])("refuses %s pushing %s (%s)", (repository, tag, code) => {
    expect(() => selectPromotion(config, repository, tag)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    ["acme/tools", "v1.2.3"],
    ["acme/tools", "tools-v1.2.3"],
    ["acme/tools", "release-2024"],
  ])("ignores %s pushing %s: neither the repository nor the prefix is known", (repository, tag) => {
    expect(selectPromotion(config, repository, tag)).toMatchObject({ kind: "ignored" });
  });
});

describe("renderImageTag", () => {
  const values = { sha: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", tag: "core-v1.2.3", version: "1.2.3" };
  it.each([
    ["{sha}", values.sha],
    ["{shortSha}", "6113728"],
    ["v{version}", "v1.2.3"],
    ["{tag}", "core-v1.2.3"],
    ["main-{shortSha}", "main-6113728"],
  ])("%s → %s", (template, expected) => {
    expect(renderImageTag(template, values)).toBe(expected);
  });
});
