import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { checkCommand, parseCommentCommand } from "../../src/core/comment-command.js";

describe("parseCommentCommand", () => {
  it.each([
    ["/release-promoter promote core v0.9.3 to prod", { kind: "promote", service: "core", version: "0.9.3", environment: "prod" }],
    ["  /release-promoter   promote\tcore  0.9.3   to  prod  ", { kind: "promote", service: "core", version: "0.9.3", environment: "prod" }],
    ["\n\n/Release-Promoter PROMOTE Core V0.9.3 TO Prod\r\nthanks!", { kind: "promote", service: "core", version: "0.9.3", environment: "prod" }],
    ["/release-promoter promote edge-bff v1.2.3-rc.1 to staging-eu", { kind: "promote", service: "edge-bff", version: "1.2.3-rc.1", environment: "staging-eu" }],
    ["/release-promoter release core in prod", { kind: "release", service: "core", environment: "prod" }],
  ])("%j is a command", (body, command) => {
    expect(parseCommentCommand(body)).toEqual({ kind: "command", command });
  });

  it.each([
    ["LGTM, merging"],
    ["> /release-promoter promote core v0.9.3 to prod"],
    ["Please run\n/release-promoter promote core v0.9.3 to prod"],
    ["/release-promoterx promote core v0.9.3 to prod"],
    [""],
  ])("%j is not a command", (body) => {
    expect(parseCommentCommand(body)).toEqual({ kind: "none" });
  });

  it.each([
    ["/release-promoter", /no command after `\/release-promoter`/],
    ["/release-promoter rollback core v0.9.3 to prod", /`rollback` is not a command; the commands are:/],
    ["/release-promoter promote", /the service or the version is missing/],
    ["/release-promoter promote core", /the service or the version is missing/],
    ["/release-promoter promote core v0.9.3", /`to <environment>` is missing after the version/],
    ["/release-promoter promote core v0.9.3 prod", /`to <environment>` is missing after the version/],
    ["/release-promoter promote core v0.9.3 to", /the environment is missing after `to`/],
    ["/release-promoter promote core v0.9.3 to prod now please", /unexpected words after the environment: `now please`/],
    ["/release-promoter promote core core-v0.9.3 to prod", /`core-v0.9.3` is a tag; write the version: `\/release-promoter promote core v0.9.3 to …`/],
    ["/release-promoter promote core v0.9 to prod", /`v0.9` is not a version/],
    ["/release-promoter promote core v01.2.3 to prod", /`v01.2.3` is not a version/],
    ["/release-promoter promote core v1.2.3+build.4 to prod", /is not a version/],
    ["/release-promoter promote core_api v1.2.3 to prod", /`core_api` is not a service name/],
    ["/release-promoter promote core v1.2.3 to prod!", /`prod!` is not an environment name/],
    ["/release-promoter release core", /`in <environment>` is missing/],
    ["/release-promoter release core in prod again", /unexpected words after the environment: `again`/],
    // A backtick in a word would end the answer's code span (and let the comment ping or link): quoted without it.
    ["/release-promoter promote core x`@acme/oncall`[x](https://evil.example) to prod", /^`x'@acme\/oncall'\[x\]\(https:\/\/evil\.example\)` is not a version/],
  ])("%j is malformed", (body, reason) => {
    const parsed = parseCommentCommand(body);
    expect(parsed.kind).toBe("malformed");
    expect(parsed.kind === "malformed" && parsed.reason).toMatch(reason);
  });
});

describe("checkCommand", () => {
  const config = parseConfig(`
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image, tagPrefix: core-api }
  web: { repository: acme/web-ui, image: ghcr.io/acme/web-ui, variable: web_image }
environments:
  prod: { file: envs/prod.tfvars, services: [core] }
  staging: { file: envs/staging.tfvars }
`);
  it("names the tag the version is released as (the service's tag prefix)", () => {
    expect(checkCommand({ kind: "promote", service: "core", version: "0.9.3", environment: "prod" }, config)).toEqual({ tag: "core-api-v0.9.3" });
    expect(checkCommand({ kind: "release", service: "web", environment: "staging" }, config)).toEqual({});
  });
  it("refuses an unknown service or environment, and an environment that does not take the service, listing what there is", () => {
    expect(checkCommand({ kind: "promote", service: "api", version: "1.0.0", environment: "prod" }, config)).toEqual({ problem: "there is no service `api` in the config (its services: `core`, `web`)" });
    expect(checkCommand({ kind: "release", service: "core", environment: "qa" }, config)).toEqual({ problem: "there is no environment `qa` in the config (its environments: `prod`, `staging`)" });
    expect(checkCommand({ kind: "promote", service: "web", version: "1.0.0", environment: "prod" }, config)).toEqual({ problem: "environment `prod` does not take `web` (its services: `core`)" });
    // Names of built-in object properties are no service or environment.
    expect(checkCommand({ kind: "promote", service: "constructor", version: "1.0.0", environment: "prod" }, config)).toMatchObject({ problem: expect.stringMatching(/^there is no service `constructor`/) });
    expect(checkCommand({ kind: "release", service: "core", environment: "constructor" }, config)).toMatchObject({ problem: expect.stringMatching(/^there is no environment `constructor`/) });
  });
});
