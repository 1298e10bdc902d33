import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createTestProbot } from "../helpers/app-server.js";
import { GitHubMock } from "../helpers/github-mock.js";
import {
  CONFIG_TEXT,
  DIGEST,
  PROD_TFVARS,
  REGISTRY_ENV,
  TAGGED_COMMIT,
  changedLines,
  decodeCommittedFile,
  mockManifestHead,
  promotionContext,
  promotionTargets,
  pushPayload,
} from "../helpers/promotion-mocks.js";

type PushPayload = EmitterWebhookEvent<"push">["payload"];

let github: GitHubMock;
let delivery = 0;

beforeEach(() => {
  nock.disableNetConnect();
  github = new GitHubMock();
});
// Unused or unexpected mocks fail the test and are cleaned up after it (test/setup/strict-mocks.ts).
afterEach(() => {
  nock.enableNetConnect();
});

async function receive(payload: Record<string, unknown>, env: Record<string, string | undefined> = REGISTRY_ENV): Promise<void> {
  const { probot, tasks } = await createTestProbot(env);
  await probot.receive({ id: `d-${++delivery}`, name: "push", payload: payload as unknown as PushPayload });
  await tasks.idle();
}

/** Expects the one check run a refusal produces and returns what it said. */
function expectCheckRun(repo = "acme/core-api"): { body: () => Record<string, any> } {
  let body: Record<string, any> | undefined;
  github.rest("POST", `/repos/${repo}/check-runs`, (b) => {
    body = b as Record<string, any>;
    return [201, { id: 5 }];
  });
  return { body: () => body! };
}

const TFVARS_AT_DIGEST = PROD_TFVARS.replace(`sha256:${"1".repeat(64)}" # core-v0.9.0`, `${DIGEST}" # core-v0.9.0`);

describe("refusals: no PR, a check run that says why", () => {
  it.each([
    {
      name: "a service's tag pushed from another repository",
      payload: pushPayload({ repository: "acme/web-ui" }),
      context: { source: { nameWithOwner: "acme/web-ui", url: "https://github.com/acme/web-ui" } },
      repo: "acme/web-ui",
      conclusion: "failure",
      code: "wrong_repository",
      reason: "service core may only be promoted by tags in acme/core-api",
    },
    {
      name: "a tag that is not strict SemVer (two components)",
      payload: pushPayload({ tag: "core-v1.2" }),
      conclusion: "failure",
      code: "invalid_tag",
      reason: "acme/core-api promotes with tags like core-vX.Y.Z",
    },
    {
      name: "a tag with build metadata",
      payload: pushPayload({ tag: "core-v1.2.3+build.5" }),
      conclusion: "failure",
      code: "invalid_tag",
      reason: "build metadata",
    },
    {
      name: "an uppercase prefix",
      payload: pushPayload({ tag: "Core-v1.2.3" }),
      conclusion: "failure",
      code: "invalid_tag",
      reason: "lowercase prefix",
    },
    {
      name: "an unknown prefix in a service repository",
      payload: pushPayload({ tag: "coer-v1.0.0" }),
      conclusion: "failure",
      code: "unknown_prefix",
      reason: 'No service has the tag prefix "coer"',
    },
    {
      name: "a prerelease when no environment takes prereleases",
      payload: pushPayload({ tag: "core-v1.0.0-rc.1" }),
      conclusion: "neutral",
      code: "prerelease_not_allowed",
      reason: "core-v1.0.0-rc.1 is a prerelease",
    },
    {
      name: "a tagged commit that is not on the default branch",
      payload: pushPayload(),
      context: { onMain: false },
      conclusion: "failure",
      code: "not_on_default_branch",
      reason: "is not on acme/core-api's default branch main",
    },
    {
      name: "a tag deleted before the app read it",
      payload: pushPayload(),
      context: { commit: null },
      conclusion: "failure",
      code: "tag_not_found",
      reason: "no longer exists",
    },
    {
      name: "a missing central config",
      payload: pushPayload(),
      context: { configText: null },
      conclusion: "failure",
      code: "config_missing",
      reason: "acme/infra has no .github/release-promoter.yml",
    },
    {
      name: "an invalid central config (every problem listed with its path)",
      payload: pushPayload(),
      context: { configText: CONFIG_TEXT.replace("variable: web_image", "variable: core_image").replace("file: envs/prod.tfvars", "file: /etc/prod.tfvars") },
      conclusion: "failure",
      code: "config_invalid",
      reason: "(2 problems)",
    },
  ])("$name → $conclusion $code", async ({ payload, context, repo, conclusion, code, reason }) => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext(context ?? {}));
    const check = expectCheckRun(repo);
    await receive(payload);
    github.assertDone();
    expect(check.body()).toMatchObject({ status: "completed", conclusion, head_sha: TAGGED_COMMIT });
    expect(check.body().output.title).toContain(code);
    expect(check.body().output.summary).toContain(reason);
    expect(github.writes().map((w) => w.name)).toEqual(["/repos/{owner}/{repo}/check-runs"]);
  });

  it.each([
    {
      name: "a version lower than the one running",
      tag: "core-v0.8.0",
      baseText: PROD_TFVARS,
      conclusion: "failure",
      code: "version_downgrade",
      reason: "prod runs core v0.9.0, newer than v0.8.0",
    },
    {
      name: "the running version with another digest",
      tag: "core-v0.9.0",
      baseText: PROD_TFVARS,
      conclusion: "failure",
      code: "version_reused",
      reason: "a version is promoted once",
    },
    {
      name: "a file that already holds the digest",
      tag: "core-v0.10.0",
      baseText: TFVARS_AT_DIGEST,
      conclusion: "neutral",
      code: "nothing to do",
      reason: `already runs core at ${DIGEST}`,
    },
    {
      name: "a file without the variable",
      tag: "core-v0.10.0",
      baseText: 'region = "eu-west-1"\n',
      conclusion: "failure",
      code: "variable_missing",
      reason: "core_image",
    },
    {
      name: "a variable assigned twice",
      tag: "core-v0.10.0",
      baseText: `${PROD_TFVARS}core_image = "x"\n`,
      conclusion: "failure",
      code: "variable_duplicated",
      reason: "core_image",
    },
    {
      name: "a heredoc value",
      tag: "core-v0.10.0",
      baseText: 'core_image = <<EOT\nghcr.io/acme/core-api@sha256:1\nEOT\n',
      conclusion: "failure",
      code: "variable_not_string",
      reason: "core_image",
    },
    {
      name: "an interpolated value",
      tag: "core-v0.10.0",
      baseText: 'core_image = "${var.registry}/core-api"\n',
      conclusion: "failure",
      code: "variable_not_string",
      reason: "core_image",
    },
    {
      name: "a missing tfvars file",
      tag: "core-v0.10.0",
      baseText: null,
      conclusion: "failure",
      code: "file_missing",
      reason: "envs/prod.tfvars does not exist",
    },
  ])("$name → $conclusion ($code)", async ({ tag, baseText, conclusion, code, reason }) => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .graphql("ReadPromotionTargets", () => promotionTargets([{ baseText }]));
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    const check = expectCheckRun();
    await receive(pushPayload({ tag }));
    github.assertDone();
    expect(check.body()).toMatchObject({ status: "completed", conclusion });
    expect(`${check.body().output.title}\n${check.body().output.summary}`).toContain(code);
    expect(check.body().output.summary).toContain(reason);
    expect(github.writes().map((w) => w.name)).toEqual(["/repos/{owner}/{repo}/check-runs"]);
  });

  it("a registry that refuses the credentials fails at once, naming the registry and the credential", async () => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext({}));
    nock("https://ghcr.io")
      .head(`/v2/acme/core-api/manifests/${TAGGED_COMMIT}`)
      .reply(401, "", { "www-authenticate": 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/core-api:pull"' })
      .get("/token")
      .query(true)
      .reply(401, { errors: [{ code: "UNAUTHORIZED" }] });
    const check = expectCheckRun();
    await receive(pushPayload());
    github.assertDone();
    expect(nock.pendingMocks()).toEqual([]);
    expect(check.body()).toMatchObject({ conclusion: "failure" });
    expect(check.body().output.title).toContain("registry_unauthorized");
    expect(check.body().output.summary).toContain("ghcr.io");
    expect(check.body().output.summary).toContain("GHCR_USER");
    expect(check.body().output.summary).not.toContain(REGISTRY_ENV.GHCR_TOKEN);
  });

  it("ignores tags of repositories and prefixes the config does not know, without writing", async () => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext({ source: { nameWithOwner: "acme/tools", url: "https://github.com/acme/tools" } }));
    await receive(pushPayload({ repository: "acme/tools", tag: "v1.2.3" }));
    github.assertDone();
    expect(github.writes()).toEqual([]);
  });

  it("ignores branch pushes of repositories other than infra without a request, except to a service's default branch", async () => {
    const branch = pushPayload();
    branch.ref = "refs/heads/feature";
    await receive(branch);
    github.assertDone();
    expect(github.requests).toEqual([]);
  });

  it("a push to a service's main, with no on: main environment in the config: one read, nothing written", async () => {
    const main = pushPayload();
    main.ref = "refs/heads/main";
    const context = promotionContext({});
    github
      .accessToken(4242)
      .graphql("ReadMainContext", () => ({
        infra: context.infra,
        source: { ...context.source, defaultBranchRef: { name: "main", target: { __typename: "Commit", oid: TAGGED_COMMIT, checkSuites: { nodes: [] } } } },
      }));
    await receive(main);
    github.assertDone();
  });
});

describe("promotions", () => {
  it("peels an annotated tag: the image and check run use the commit, not the tag object", async () => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({ annotated: true }))
      .graphql("ReadPromotionTargets", () => promotionTargets([{}]))
      .graphql("OpenPromotionPullRequest", () => ({
        createRef: { ref: { id: "REF" } },
        createCommitOnBranch: { commit: { oid: "c1".repeat(20) } },
        createPullRequest: { pullRequest: { number: 3, url: "https://github.com/acme/infra/pull/3" } },
      }));
    const check = expectCheckRun();
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    await receive(pushPayload({ after: "7a".repeat(20) }));
    github.assertDone();
    expect(check.body()).toMatchObject({ head_sha: TAGGED_COMMIT, conclusion: "success" });
  });

  it("waits for CI to push the image, showing it in progress, then proceeds", async () => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .rest("POST", "/repos/acme/core-api/check-runs", (body) => {
        expect(body).toMatchObject({ status: "in_progress", output: { title: `Waiting for ghcr.io/acme/core-api:${TAGGED_COMMIT}` } });
        return [201, { id: 77 }];
      })
      .graphql("ReadPromotionTargets", () => promotionTargets([{}]))
      .graphql("OpenPromotionPullRequest", () => ({
        createRef: { ref: { id: "REF" } },
        createCommitOnBranch: { commit: { oid: "c1".repeat(20) } },
        createPullRequest: { pullRequest: { number: 4, url: "https://github.com/acme/infra/pull/4" } },
      }))
      .rest("PATCH", "/repos/acme/core-api/check-runs/77", (body) => {
        expect(body).toMatchObject({ status: "completed", conclusion: "success" });
        return [200, { id: 77 }];
      });
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST, notFoundFirst: 2 });
    await receive(pushPayload());
    github.assertDone();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("updates the open PR for a newer tag without ever leaving its branch empty, and says what it superseded", async () => {
    const atV010 = PROD_TFVARS.replace(`sha256:${"1".repeat(64)}" # core-v0.9.0`, `sha256:${"3".repeat(64)}" # core-v0.10.0`);
    let scratch: Record<string, any> | undefined;
    let moved: Record<string, any> | undefined;
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .graphql("ReadPromotionTargets", () =>
        promotionTargets([
          {
            branch: { id: "REF_PR", oid: "b0".repeat(20), text: atV010 },
            pullRequest: { id: "PR_9", number: 9, url: "https://github.com/acme/infra/pull/9" },
          },
        ]),
      )
      .graphql("CommitPromotionOnScratchBranch", ({ variables }) => {
        scratch = variables;
        return { createRef: { ref: { id: "REF_SCRATCH" } }, createCommitOnBranch: { commit: { oid: "c2".repeat(20) } } };
      })
      .graphql("MovePromotionBranch", ({ variables }) => {
        moved = variables;
        return { updateRef: { ref: { id: "REF_PR" } }, deleteRef: { clientMutationId: null }, updatePullRequest: { pullRequest: { number: 9, url: "https://github.com/acme/infra/pull/9" } } };
      });
    const check = expectCheckRun();
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    await receive(pushPayload({ tag: "core-v0.11.0" }));
    github.assertDone();
    // The commit is made on a scratch branch from the current default-branch head...
    expect(scratch!.baseOid).toBe("1f".repeat(20));
    expect(scratch!.scratch).toMatch(/^release-promoter-scratch\/release-promoter\/prod\/core\//);
    expect(changedLines(PROD_TFVARS, decodeCommittedFile(scratch!).text)).toEqual([
      [`core_image = "ghcr.io/acme/core-api@sha256:${"1".repeat(64)}" # core-v0.9.0`, `core_image = "ghcr.io/acme/core-api@${DIGEST}" # core-v0.11.0`],
    ]);
    // ...and the PR branch moves to it in one ref update.
    expect(moved).toMatchObject({ refId: "REF_PR", oid: "c2".repeat(20), scratchRefId: "REF_SCRATCH", pullRequestId: "PR_9", title: "Promote core v0.11.0 to prod" });
    expect(moved!.body).toContain("v0.11.0 supersedes v0.10.0");
    expect(moved!.body).toContain("| Version | v0.9.0 → v0.11.0 |");
    expect(check.body()).toMatchObject({ conclusion: "success" });
    expect(check.body().output.summary).toContain("(it superseded v0.10.0)");
  });

  it("leaves an open PR that proposes a newer version alone", async () => {
    const atV012 = PROD_TFVARS.replace(`sha256:${"1".repeat(64)}" # core-v0.9.0`, `sha256:${"3".repeat(64)}" # core-v0.12.0`);
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .graphql("ReadPromotionTargets", () =>
        promotionTargets([
          { branch: { id: "REF_PR", oid: "b0".repeat(20), text: atV012 }, pullRequest: { id: "PR_9", number: 9, url: "https://github.com/acme/infra/pull/9" } },
        ]),
      );
    const check = expectCheckRun();
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    await receive(pushPayload({ tag: "core-v0.11.0" }));
    github.assertDone();
    expect(check.body()).toMatchObject({ conclusion: "failure" });
    expect(check.body().output.summary).toContain("PR #9 already proposes core v0.12.0, newer than v0.11.0");
    expect(github.writes().map((w) => w.name)).toEqual(["/repos/{owner}/{repo}/check-runs"]);
  });

  it("reuses a leftover branch (its PR was merged) by resetting it to the default branch before committing", async () => {
    let variables: Record<string, any> | undefined;
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .graphql("ReadPromotionTargets", () => promotionTargets([{ branch: { id: "REF_OLD", oid: "0d".repeat(20), text: PROD_TFVARS } }]))
      .graphql("ReuseBranchAndOpenPromotionPullRequest", (call) => {
        variables = call.variables;
        return {
          updateRef: { ref: { id: "REF_OLD" } },
          createCommitOnBranch: { commit: { oid: "c3".repeat(20) } },
          createPullRequest: { pullRequest: { number: 12, url: "https://github.com/acme/infra/pull/12" } },
        };
      });
    expectCheckRun();
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    await receive(pushPayload());
    github.assertDone();
    expect(variables).toMatchObject({ refId: "REF_OLD", baseOid: "1f".repeat(20), branch: "release-promoter/prod/core" });
  });
});
