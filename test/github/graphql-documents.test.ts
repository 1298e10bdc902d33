import { describe, expect, it } from "vitest";
import {
  COMMIT_ON_SCRATCH_BRANCH,
  MOVE_BRANCH_AND_UPDATE_PULL_REQUEST,
  OPEN_PULL_REQUEST,
  REUSE_BRANCH_AND_OPEN_PULL_REQUEST,
} from "../../src/github/ensure-pull-request.js";
import { READ_PROMOTION_CONTEXT } from "../../src/github/read-promotion-context.js";
import { readPromotionTargetsDocument } from "../../src/github/read-promotion-targets.js";
import { assertRestRoute, assertValidGraphql } from "../helpers/github-description.js";

const oid = "1f".repeat(20);
const message = { headline: "Promote core v0.10.0 to prod", body: "core_image = …" };
const fileChanges = { additions: [{ path: "envs/prod.tfvars", contents: Buffer.from("x").toString("base64") }] };

// Every document the app sends, with variables shaped as the app sends them.
describe("GraphQL documents validate against @octokit/graphql-schema", () => {
  it("ReadPromotionContext", () => {
    assertValidGraphql(READ_PROMOTION_CONTEXT, {
      infraOwner: "acme",
      infraName: "infra",
      configExpression: "HEAD:.github/release-promoter.yml",
      sourceOwner: "acme",
      sourceName: "core-api",
      tagRef: "refs/tags/core-v0.10.0",
      checkName: "release-promoter",
    });
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
