/**
 * Every failure after the webhook is answered reaches the tag's pusher (a check run on the
 * tagged commit) or, when the app cannot report, a log line with its code; and a bug is a bug
 * (`internal_error`, logged with its stack), never "GitHub failed, push the tag again later".
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { mapGitHubError } from "../../src/github/map-github-error.js";
import { collectingLogger, createTestProbot } from "../helpers/app-server.js";
import { GitHubMock } from "../helpers/github-mock.js";
import {
  DIGEST,
  REGISTRY_ENV,
  TAGGED_COMMIT,
  expectReads,
  mockManifestHead,
  promotionContext,
  promotionTargets,
  pushPayload,
} from "../helpers/promotion-mocks.js";

type PushPayload = EmitterWebhookEvent<"push">["payload"];

let github: GitHubMock;
beforeEach(() => {
  nock.disableNetConnect();
  github = new GitHubMock();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function receive(tag = "core-v0.10.0") {
  const { log, logs } = collectingLogger();
  const { probot, tasks } = await createTestProbot(REGISTRY_ENV, {}, log);
  await probot.receive({ id: "d", name: "push", payload: pushPayload({ tag }) as unknown as PushPayload });
  await tasks.idle();
  return logs;
}

function expectCheckRun() {
  let body: Record<string, any> | undefined;
  github.rest("POST", "/repos/acme/core-api/check-runs", (b) => {
    body = b as Record<string, any>;
    return [201, { id: 5 }];
  });
  return () => {
    if (body === undefined) throw new Error("no check run was created");
    return body;
  };
}

describe("the first read of a promotion is inside the reporting", () => {
  it("a failing first read ends in a check run on the tagged commit from the push payload", async () => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => ({ __status: 502, message: "Server Error" }));
    const report = expectCheckRun();
    const logs = await receive();
    github.assertDone();
    expect(report()).toMatchObject({
      head_sha: TAGGED_COMMIT,
      status: "completed",
      conclusion: "failure",
      output: { title: "core-v0.10.0 not promoted: github_unavailable" },
    });
    expect(report().output.summary).toContain("GitHub failed while reading acme/infra and acme/core-api");
    expect(logs).toContainEqual(expect.objectContaining({ msg: "tag not promoted", code: "github_unavailable", retryable: true }));
  });

  it("a tag that is not a release tag gets no check run, only a log line with the code", async () => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => ({ __status: 502, message: "Server Error" }));
    const logs = await receive("latest");
    github.assertDone();
    expect(logs).toContainEqual(expect.objectContaining({ msg: "tag not promoted", code: "github_unavailable" }));
  });

  it("when even the report fails, a log line says what was not reported", async () => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => ({ __status: 502, message: "Server Error" }))
      .rest("POST", "/repos/acme/core-api/check-runs", () => [403, { message: "Resource not accessible by integration" }]);
    const logs = await receive();
    github.assertDone();
    expect(logs).toContainEqual(expect.objectContaining({ msg: "could not report on the tagged commit", code: "github_forbidden", reported: "github_unavailable" }));
  });
});

describe("a bug is internal_error, not a GitHub failure", () => {
  it("maps only GitHub's own errors to github_* codes", () => {
    const http = Object.assign(new Error("Bad Gateway"), { name: "HttpError", status: 502 });
    expect(mapGitHubError(http, "reading x").code).toBe("github_unavailable");
    const secondary = Object.assign(new Error("You have exceeded a secondary rate limit."), { name: "HttpError", status: 403, response: { headers: { "retry-after": "60" } } });
    expect(mapGitHubError(secondary, "reading x")).toMatchObject({ code: "github_rate_limited", retryable: true });
    const primary = Object.assign(new Error("API rate limit exceeded for installation ID 1."), { name: "HttpError", status: 403, response: { headers: { "x-ratelimit-remaining": "0" } } });
    expect(mapGitHubError(primary, "reading x")).toMatchObject({ code: "github_rate_limited", retryable: true });
    const forbidden = Object.assign(new Error("Resource not accessible by integration"), { name: "HttpError", status: 403, response: { headers: { "x-ratelimit-remaining": "4999" } } });
    expect(mapGitHubError(forbidden, "reading x")).toMatchObject({ code: "github_forbidden", retryable: false });
    const graphql = Object.assign(new Error("x"), { name: "GraphqlResponseError", errors: [{ type: "FORBIDDEN", message: "no" }] });
    expect(mapGitHubError(graphql, "reading x").code).toBe("github_forbidden");
    for (const bug of [new TypeError("Cannot read properties of undefined (reading 'pullRequest')"), new Error("boom"), { status: 502 }, undefined]) {
      const mapped = mapGitHubError(bug, "writing the branch");
      expect(mapped).toMatchObject({ code: "internal_error", retryable: false, message: "The app failed unexpectedly while writing the branch; its logs have the details." });
      expect(mapped.cause).toBe(bug);
    }
  });

  it("a malformed answer to the PR write is reported as internal_error and logged with its stack", async () => {
    github.accessToken(4242);
    expectReads(github, promotionContext({}), promotionTargets([{}]));
    // GitHub would never answer like this; the app reading `createPullRequest.pullRequest` of it is a TypeError.
    github.graphql("OpenPromotionPullRequest", () => ({ createRef: { ref: { id: "REF" } }, createCommitOnBranch: { commit: { oid: "cc".repeat(20) } } }));
    const report = expectCheckRun();
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    const logs = await receive();
    github.assertDone();
    expect(report()).toMatchObject({ conclusion: "failure", output: { title: "core-v0.10.0 not promoted to prod: internal_error" } });
    expect(report().output.summary).toContain("The app failed unexpectedly while writing release-promoter/prod/core in acme/infra; its logs have the details.");
    expect(report().output.summary).not.toContain("again later");
    const line = logs.find((entry) => entry.msg === "environment not promoted");
    expect(line).toMatchObject({ level: 50, code: "internal_error", environment: "prod" });
    expect((line?.err as { type?: string; stack?: string } | undefined)?.type).toBe("TypeError");
    expect((line?.err as { stack?: string } | undefined)?.stack).toMatch(/ensure-pull-request\.ts/);
  });
});
