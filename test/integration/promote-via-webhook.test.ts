import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningApp, startApp } from "../helpers/app-server.js";
import { GitHubMock } from "../helpers/github-mock.js";
import {
  DIGEST,
  INFRA,
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

describe("a tag push delivered to the signed webhook endpoint", () => {
  let app: RunningApp;
  let github: GitHubMock;

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    app = await startApp({ env: { ...REGISTRY_ENV } });
    github = new GitHubMock();
  });

  afterEach(async () => {
    await app.stop();
    // Unused or unexpected mocks fail the test and are cleaned up after it (test/setup/strict-mocks.ts).
    nock.enableNetConnect();
  });

  it("opens exactly one PR whose diff is one line in one file, in 4 GitHub requests; a redelivery writes nothing", async () => {
    let opened: Record<string, any> | undefined;
    let checkRun: Record<string, any> | undefined;
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .graphql("ReadPromotionTargets", () => promotionTargets([{}]))
      .graphql("OpenPromotionPullRequest", ({ variables }) => {
        opened = variables;
        return {
          createRef: { ref: { id: "REF_1" } },
          createCommitOnBranch: { commit: { oid: "c0".repeat(20) } },
          createPullRequest: { pullRequest: { number: 17, url: "https://github.com/acme/infra/pull/17" } },
        };
      })
      .rest("POST", "/repos/acme/core-api/check-runs", (body) => {
        checkRun = body as Record<string, any>;
        return [201, { id: 991 }];
      });
    const registry = mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });

    expect(await app.deliver("push", pushPayload())).toBe(200);
    await app.tasks.idle();
    github.assertDone();
    expect(registry.pendingMocks()).toEqual([]);

    // One file, one line.
    expect(opened).toBeDefined();
    const committed = decodeCommittedFile(opened!);
    expect(committed.path).toBe("envs/prod.tfvars");
    expect(changedLines(PROD_TFVARS, committed.text)).toEqual([
      [
        `core_image = "ghcr.io/acme/core-api@sha256:${"1".repeat(64)}" # core-v0.9.0`,
        `core_image = "ghcr.io/acme/core-api@${DIGEST}" # core-v0.10.0`,
      ],
    ]);
    expect(opened!.fileChanges.additions).toHaveLength(1);
    expect(opened!.fileChanges.deletions).toBeUndefined();
    expect(opened!.branch).toBe("release-promoter/prod/core");
    expect(opened!.qualifiedBranch).toBe("refs/heads/release-promoter/prod/core");
    expect(opened!.baseOid).toBe(INFRA.headOid);
    expect(opened!.baseBranch).toBe("main");

    // What the reviewer reads.
    expect(opened!.title).toMatchInlineSnapshot(`"Promote core v0.10.0 to prod"`);
    expect(opened!.body).toMatchInlineSnapshot(`
      "Promotes **core** to **v0.10.0** in **prod** by changing \`core_image\` in \`envs/prod.tfvars\`.

      | | |
      |---|---|
      | Service | \`core\` from \`acme/core-api\` |
      | Version | v0.9.0 → v0.10.0 |
      | Image | \`ghcr.io/acme/core-api\` |
      | Digest | \`sha256:ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12\` |
      | Source commit | [\`6113728f27ae\`](https://github.com/acme/core-api/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246) on the default branch |
      | Changes | [core-v0.9.0...core-v0.10.0](https://github.com/acme/core-api/compare/core-v0.9.0...core-v0.10.0) |
      | Tag pushed by | @Codertocat |

      The digest is the one the registry returned for the image CI built from the tagged commit; nothing was rebuilt. Only this one line of \`envs/prod.tfvars\` changed: the app re-parsed the file with an HCL parser to check it.

      <!-- release-promoter:promotion {"v":1,"environment":"prod","service":"core","repository":"acme/core-api","tag":"core-v0.10.0","commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","digest":"sha256:ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12","pusher":"Codertocat"} -->"
    `);

    // What the person who pushed the tag sees.
    expect(checkRun).toMatchObject({
      name: "release-promoter",
      head_sha: TAGGED_COMMIT,
      status: "completed",
      conclusion: "success",
      details_url: "https://github.com/acme/infra/pull/17",
      output: { title: "core core-v0.10.0: PR #17 (prod)" },
    });
    expect(checkRun!.output.summary).toContain("[PR #17](https://github.com/acme/infra/pull/17) promotes core-v0.10.0");

    // The request count of one whole promotion, token excluded.
    expect(github.requests.filter((r) => r.kind !== "token").map((r) => `${r.kind} ${r.name}`)).toEqual([
      "read ReadPromotionContext",
      "read ReadPromotionTargets",
      "write OpenPromotionPullRequest",
      "write /repos/{owner}/{repo}/check-runs",
    ]);

    // The same delivery again, against the state the first one left: no request that writes.
    // (Probot reuses the installation token it already has.)
    const redelivery = new GitHubMock();
    redelivery
      .graphql("ReadPromotionContext", () =>
        promotionContext({
          checkRun: { databaseId: 991, status: "COMPLETED", conclusion: "SUCCESS", title: checkRun!.output.title, summary: checkRun!.output.summary },
        }),
      )
      .graphql("ReadPromotionTargets", () =>
        promotionTargets([
          {
            branch: { id: "REF_1", oid: "c0".repeat(20), text: committed.text },
            pullRequest: { id: "PR_17", number: 17, url: "https://github.com/acme/infra/pull/17" },
          },
        ]),
      );
    const registryAgain = mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    expect(await app.deliver("push", pushPayload())).toBe(200);
    await app.tasks.idle();
    redelivery.assertDone();
    expect(registryAgain.pendingMocks()).toEqual([]);
    expect(redelivery.writes()).toEqual([]);
  });

  it("answers the webhook before the promotion finishes", async () => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext({ configText: null }));
    // No check run: the config is missing → a refusal is reported on the commit.
    github.rest("POST", "/repos/acme/core-api/check-runs", () => [201, { id: 1 }]);
    const status = await app.deliver("push", pushPayload());
    expect(status).toBe(200);
    expect(app.tasks.size).toBeGreaterThan(0);
    await app.tasks.idle();
    github.assertDone();
  });

  it("rejects a delivery with a bad signature and does nothing", async () => {
    const status = await app.deliver("push", pushPayload(), { signature: `sha256=${"0".repeat(64)}` });
    expect(status).toBe(400);
    await app.tasks.idle();
    github.assertDone();
    expect(github.requests).toEqual([]);
  });

  it("keeps registry credentials out of the logs", async () => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({}))
      .graphql("ReadPromotionTargets", () => promotionTargets([{}]))
      .graphql("OpenPromotionPullRequest", () => ({
        createRef: { ref: { id: "REF_1" } },
        createCommitOnBranch: { commit: { oid: "c0".repeat(20) } },
        createPullRequest: { pullRequest: { number: 17, url: "https://github.com/acme/infra/pull/17" } },
      }))
      .rest("POST", "/repos/acme/core-api/check-runs", () => [201, { id: 991 }]);
    mockManifestHead({ reference: TAGGED_COMMIT, digest: DIGEST });
    await app.deliver("push", pushPayload());
    await app.tasks.idle();
    github.assertDone();
    const logText = JSON.stringify(app.logs);
    expect(logText).toContain("pull request ensured");
    expect(logText).not.toContain(REGISTRY_ENV.GHCR_TOKEN);
    expect(logText).not.toContain("registry-token");
    expect(logText).not.toContain("ghs_test_installation_token");
  });
});
