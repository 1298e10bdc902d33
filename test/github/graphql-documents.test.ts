import { describe, expect, it } from "vitest";
import {
  COMMIT_ON_SCRATCH_BRANCH,
  MOVE_BRANCH_AND_UPDATE_PULL_REQUEST,
  OPEN_PULL_REQUEST,
  REUSE_BRANCH_AND_OPEN_PULL_REQUEST,
} from "../../src/github/ensure-pull-request.js";
import { CLOSE_WITH_COMMENT, COMMENT } from "../../src/github/close-pull-request.js";
import { readBlobsDocument } from "../../src/github/read-blobs.js";
import { READ_CONFIG_AT } from "../../src/github/read-config-at.js";
import { READ_OPEN_PROMOTIONS } from "../../src/github/read-open-promotions.js";
import { READ_PROMOTION_CONTEXT, readPromotionContextDocument } from "../../src/github/read-promotion-context.js";
import { READ_SWEEP_INFRA, readSweepStateDocument, readTagProbesDocument } from "../../src/github/read-sweep-state.js";
import { readPromotionTargetsDocument } from "../../src/github/read-promotion-targets.js";
import { assertRestRoute, assertValidGraphql } from "../helpers/github-description.js";

const oid = "1f".repeat(20);
const message = { headline: "Promote core v0.10.0 to prod", body: "core_image = …" };
const fileChanges = { additions: [{ path: "envs/prod.tfvars", contents: Buffer.from("x").toString("base64") }] };

// Every document the app sends, with variables shaped as the app sends them.
describe("GraphQL documents validate against @octokit/graphql-schema", () => {
  const contextVariables = {
    infraOwner: "acme",
    infraName: "infra",
    configExpression: "HEAD:.github/release-promoter.yml",
    sourceOwner: "acme",
    sourceName: "core-api",
    tagRef: "refs/tags/core-v0.10.0",
    checkName: "release-promoter",
  };
  it("ReadPromotionContext", () => {
    assertValidGraphql(READ_PROMOTION_CONTEXT, contextVariables);
  });

  it.each([1, 2])("ReadPromotionContext with the targets of %i environment(s) a cached config names", (count) => {
    const variables: Record<string, string> = { ...contextVariables, defaultBranch: "main" };
    for (let i = 0; i < count; i++) {
      Object.assign(variables, {
        [`file${i}`]: `envs/e${i}.tfvars`,
        [`head${i}`]: `refs/heads/release-promoter/e${i}/core:envs/e${i}.tfvars`,
        [`ref${i}`]: `refs/heads/release-promoter/e${i}/core`,
        [`branch${i}`]: `release-promoter/e${i}/core`,
      });
    }
    assertValidGraphql(readPromotionContextDocument(count), variables);
  });

  it.each([1, 2, 3])("ReadPromotionTargets for %i environment(s)", (count) => {
    const variables: Record<string, string> = { owner: "acme", name: "infra", defaultBranch: "main" };
    for (let i = 0; i < count; i++) {
      Object.assign(variables, {
        [`base${i}`]: `${oid}:envs/e${i}.tfvars`,
        [`head${i}`]: `refs/heads/release-promoter/e${i}/core:envs/e${i}.tfvars`,
        [`ref${i}`]: `refs/heads/release-promoter/e${i}/core`,
        [`branch${i}`]: `release-promoter/e${i}/core`,
      });
    }
    assertValidGraphql(readPromotionTargetsDocument(count), variables);
  });

  const common = { repositoryId: "R_1", repositoryNameWithOwner: "acme/infra", baseOid: oid, message, fileChanges };
  const pr = { branch: "release-promoter/prod/core", baseBranch: "main", title: "t", body: "b" };

  it("OpenPromotionPullRequest", () => {
    assertValidGraphql(OPEN_PULL_REQUEST, { ...common, ...pr, qualifiedBranch: "refs/heads/release-promoter/prod/core" });
  });
  it("ReuseBranchAndOpenPromotionPullRequest", () => {
    assertValidGraphql(REUSE_BRANCH_AND_OPEN_PULL_REQUEST, { ...common, ...pr, refId: "REF_1" });
  });
  it("CommitPromotionOnScratchBranch", () => {
    assertValidGraphql(COMMIT_ON_SCRATCH_BRANCH, { ...common, qualifiedScratch: "refs/heads/s", scratch: "s" });
  });
  it("MovePromotionBranch", () => {
    assertValidGraphql(MOVE_BRANCH_AND_UPDATE_PULL_REQUEST, { refId: "REF_1", oid, scratchRefId: "REF_2", pullRequestId: "PR_1", title: "t", body: "b" });
  });

  // The reconciler's documents.
  it("ReadSweepInfra", () => {
    assertValidGraphql(READ_SWEEP_INFRA, { owner: "acme", name: "infra", configExpression: "HEAD:.github/release-promoter.yml", checkName: "release-promoter/sweep" });
  });
  it.each([1, 3])("ReadSweepState for %i service(s), files and branches", (count) => {
    const request = {
      services: Array.from({ length: count }, (_, i) => ({ repository: { owner: "acme", name: `s${i}` }, prefix: `s${i}` })),
      files: Array.from({ length: count }, (_, j) => `envs/e${j}.tfvars`),
      branches: Array.from({ length: count }, (_, k) => `release-promoter/e${k}/s${k}`),
    };
    const variables: Record<string, string> = { infraOwner: "acme", infraName: "infra", defaultBranch: "main" };
    request.services.forEach((_, i) => Object.assign(variables, { [`o${i}`]: "acme", [`n${i}`]: `s${i}`, [`q${i}`]: `s${i}-v` }));
    request.files.forEach((file, j) => (variables[`f${j}`] = `${oid}:${file}`));
    request.branches.forEach((branch, k) => (variables[`b${k}`] = branch));
    assertValidGraphql(readSweepStateDocument(request), variables);
  });
  it.each([1, 2])("ReadTagProbes for %i tag(s)", (count) => {
    const variables: Record<string, string> = { checkName: "release-promoter" };
    for (let x = 0; x < count; x++) Object.assign(variables, { [`o${x}`]: "acme", [`n${x}`]: "core-api", [`t${x}`]: "refs/tags/core-v1.0.0" });
    assertValidGraphql(readTagProbesDocument(count), variables);
  });
  it("ReadOpenPromotions", () => {
    assertValidGraphql(READ_OPEN_PROMOTIONS, { owner: "acme", name: "infra", configExpression: "HEAD:.github/release-promoter.yml" });
  });
  it("ReadBlobs", () => {
    assertValidGraphql(readBlobsDocument(2), { owner: "acme", name: "infra", e0: `${oid}:envs/prod.tfvars`, e1: `${oid}:envs/staging.tfvars` });
  });
  it("ReadConfigAt", () => {
    assertValidGraphql(READ_CONFIG_AT, { owner: "acme", name: "infra", expression: `${oid}:.github/release-promoter.yml`, oid, checkName: "release-promoter" });
  });
  it("ClosePromotionPullRequest and CommentOnPromotionPullRequest", () => {
    assertValidGraphql(CLOSE_WITH_COMMENT, { pullRequestId: "PR_1", body: "closed" });
    assertValidGraphql(COMMENT, { pullRequestId: "PR_1", body: "note" });
  });

  it("the check catches a wrong field and a wrong variable type", () => {
    expect(() => assertValidGraphql("query Q { viewer { loginName } }")).toThrow(/Cannot query field "loginName"/);
    expect(() => assertValidGraphql(MOVE_BRANCH_AND_UPDATE_PULL_REQUEST, { refId: "R", oid: 5 })).toThrow(/variables do not validate/);
  });
});

describe("REST routes exist in @octokit/openapi with the method used", () => {
  it.each([
    ["POST", "/repos/acme/core-api/check-runs", { name: "release-promoter", head_sha: oid, status: "completed", conclusion: "success", external_id: "core-v1.0.0", details_url: "https://x", completed_at: "2026-01-01T00:00:00Z", output: { title: "t", summary: "s" } }],
    ["PATCH", "/repos/acme/core-api/check-runs/5", { status: "completed", conclusion: "failure", completed_at: "2026-01-01T00:00:00Z", output: { title: "t", summary: "s" } }],
  ])("%s %s", (method, path, body) => {
    expect(assertRestRoute(method, path, body)).toMatch(/^\/repos\/\{owner\}\/\{repo\}\/check-runs/);
  });

  it("the check catches a wrong method and an undocumented body field", () => {
    expect(() => assertRestRoute("DELETE", "/repos/acme/core-api/check-runs/5")).toThrow(/not allowed/);
    expect(() => assertRestRoute("GET", "/repos/acme/core-api/no-such-thing")).toThrow(/not a route/);
    expect(() => assertRestRoute("POST", "/repos/acme/core-api/check-runs", { name: "x", head_sha: oid, colour: "red" })).toThrow(/colour/);
  });
});
