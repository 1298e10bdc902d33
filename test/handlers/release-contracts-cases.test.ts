import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { Pacers } from "../../src/github/pace-content-creation.js";
import { assertValidGraphql } from "../helpers/github-description.js";
import { readConsumersDocument } from "../../src/github/read-consumers.js";
import { createTestProbot } from "../helpers/app-server.js";
import { GitHubMock } from "../helpers/github-mock.js";
import { CONFIG_TEXT, TAGGED_COMMIT, decodeCommittedFile, promotionContext, pushPayload } from "../helpers/promotion-mocks.js";

type PushPayload = EmitterWebhookEvent<"push">["payload"];
const CONTRACTS = { nameWithOwner: "acme/contracts", url: "https://github.com/acme/contracts" };
const REGISTRY = "https://registry.npmjs.org";
const HEAD = "de".repeat(20);

const config = (consumers: string) => `${CONFIG_TEXT}contracts:
  repository: acme/contracts
  package: "@acme/contracts"
  consumers:
${consumers}`;

function packument(versions: string[]) {
  return {
    name: "@acme/contracts",
    versions: Object.fromEntries(
      versions.map((v) => [v, { name: "@acme/contracts", version: v, dependencies: {}, dist: { tarball: `${REGISTRY}/@acme/contracts/-/contracts-${v}.tgz`, integrity: `sha512-${v}` } }]),
    ),
  };
}

function repo(name: string, fields: Record<string, unknown> = {}) {
  return {
    id: `R_${name}`,
    nameWithOwner: `acme/${name}`,
    url: `https://github.com/acme/${name}`,
    isArchived: false,
    defaultBranchRef: { name: "main", target: { oid: HEAD } },
    packageJson: null,
    packageLock: null,
    ref: null,
    pullRequests: { nodes: [] },
    ...fields,
  };
}

const opened = (number: number) => ({
  createRef: { ref: { id: "REF" } },
  createCommitOnBranch: { commit: { oid: "cc".repeat(20) } },
  createPullRequest: { pullRequest: { number, url: `https://github.com/acme/x/pull/${number}` } },
});

let github: GitHubMock;
beforeEach(() => {
  nock.disableNetConnect();
  github = new GitHubMock();
});
// Unused or unexpected mocks fail the test and are cleaned up after it (test/setup/strict-mocks.ts).
afterEach(() => {
  nock.enableNetConnect();
});

async function receive(tag = "contracts-v0.3.2", repository = "acme/contracts") {
  const { probot, tasks } = await createTestProbot({}, { pacers: new Pacers({ minIntervalMs: 0 }) });
  await probot.receive({ id: "d", name: "push", payload: pushPayload({ repository, tag }) as unknown as PushPayload });
  await tasks.idle();
}

function expectCheckRun() {
  let body: Record<string, any> | undefined;
  github.rest("POST", "/repos/acme/contracts/check-runs", (b) => {
    body = b as Record<string, any>;
    return [201, { id: 3 }];
  });
  return () => body!;
}

describe("contracts releases", () => {
  it("waits for the registry to list the version, showing it in progress, then proceeds", async () => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({ configText: config("    - repository: acme/web-ui\n"), source: CONTRACTS }))
      .rest("POST", "/repos/acme/contracts/check-runs", (body) => {
        expect(body).toMatchObject({ status: "in_progress", output: { title: "Waiting for @acme/contracts@0.3.2 in the registry" } });
        return [201, { id: 8 }];
      })
      .graphql("ReadConsumers", () => ({ c0: repo("web-ui", { packageJson: { text: '{\n  "dependencies": {\n    "@acme/contracts": "^0.3.1"\n  }\n}\n' } }) }))
      .graphql("OpenPromotionPullRequest", ({ variables }) => {
        expect(decodeCommittedFile(variables).text).toContain('"@acme/contracts": "^0.3.2"');
        expect(variables.title).toBe("Bump @acme/contracts to 0.3.2");
        return opened(1);
      })
      .rest("PATCH", "/repos/acme/contracts/check-runs/8", (body) => {
        expect(body).toMatchObject({ status: "completed", conclusion: "success" });
        return [200, {}];
      });
    nock(REGISTRY)
      .get("/@acme%2fcontracts")
      .reply(404, { error: "not found" })
      .get("/@acme%2fcontracts")
      .reply(200, packument(["0.3.1"]))
      .get("/@acme%2fcontracts")
      .reply(200, packument(["0.3.1", "0.3.2"]));
    await receive();
    github.assertDone();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("refuses a contracts tag pushed from another repository", async () => {
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext({ configText: config("    - repository: acme/web-ui\n"), source: { nameWithOwner: "acme/web-ui", url: "https://github.com/acme/web-ui" } }));
    let body: Record<string, any> | undefined;
    github.rest("POST", "/repos/acme/web-ui/check-runs", (b) => {
      body = b as Record<string, any>;
      return [201, { id: 1 }];
    });
    await receive("contracts-v0.3.2", "acme/web-ui");
    github.assertDone();
    expect(body).toMatchObject({ conclusion: "failure", output: { title: "contracts-v0.3.2 not promoted: wrong_repository" } });
  });

  it("bumps a workspace consumer, a pinned consumer, and updates an open PR with a breaking label", async () => {
    const root = '{\n  "name": "mono",\n  "workspaces": [\n    "packages/*"\n  ]\n}\n';
    const api = '{\n  "name": "api",\n  "dependencies": {\n    "@acme/contracts": "~0.3.0"\n  }\n}\n';
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () =>
        promotionContext({
          configText: config(
            '    - repository: acme/mono\n    - repository: acme/ai-coach\n      pin: { file: requirements.txt, pattern: "acme-contracts-schemas=={version}" }\n    - repository: acme/old\n',
          ),
          source: CONTRACTS,
        }),
      )
      .graphql("ReadConsumers", ({ query, variables }) => {
        expect(variables.pin1).toBe("HEAD:requirements.txt");
        expect(query).toBe(readConsumersDocument([
          { repository: { owner: "acme", name: "mono" }, branch: "release-promoter/contracts/@acme/contracts" },
          { repository: { owner: "acme", name: "ai-coach" }, branch: "release-promoter/contracts/@acme/contracts", pinFile: "requirements.txt" },
          { repository: { owner: "acme", name: "old" }, branch: "release-promoter/contracts/@acme/contracts" },
        ]));
        return {
          c0: repo("mono", { packageJson: { text: root } }),
          c1: repo("ai-coach", { pin: { text: "fastapi==0.110.0\nacme-contracts-schemas==0.2.9\n" } }),
          c2: repo("old", {
            packageJson: { text: '{\n  "dependencies": {\n    "@acme/contracts": "^0.2.0"\n  }\n}\n' },
            ref: { id: "REF_OLD", target: { oid: "0b".repeat(20) } },
            pullRequests: { nodes: [{ id: "PR_OLD", number: 41, url: "https://github.com/acme/old/pull/41", title: "Bump @acme/contracts to 0.3.1" }] },
          }),
        };
      })
      .rest("GET", `/repos/acme/mono/git/trees/${HEAD}?recursive=1`, () => [
        200,
        { sha: HEAD, truncated: false, tree: ["package.json", "packages/api/package.json", "packages/api/src/index.ts", "packages/web/package.json", "node_modules/x/package.json"].map((path) => ({ path, type: "blob", mode: "100644", sha: "1".repeat(40) })) },
      ])
      .graphql("ReadBlobs", ({ variables }) => {
        expect(variables).toMatchObject({ e0: `${HEAD}:packages/api/package.json`, e1: `${HEAD}:packages/web/package.json` });
        return { repository: { f0: { text: api, isBinary: false }, f1: { text: '{\n  "name": "web"\n}\n', isBinary: false } } };
      })
      .graphql("OpenPromotionPullRequest", ({ variables }) => {
        expect((variables as Record<string, any>).fileChanges.additions.map((a: { path: string }) => a.path)).toEqual(["packages/api/package.json"]);
        expect(decodeCommittedFile(variables).text).toBe(api.replace("~0.3.0", "~0.3.2"));
        return opened(7);
      })
      .graphql("OpenPromotionPullRequest", ({ variables }) => {
        expect(decodeCommittedFile(variables)).toEqual({ path: "requirements.txt", text: "fastapi==0.110.0\nacme-contracts-schemas==0.3.2\n" });
        expect(variables.body).toContain("**Breaking:** 0.2.9 → 0.3.2 is a minor bump in 0.x");
        return opened(8);
      })
      .rest("POST", "/repos/acme/ai-coach/issues/8/labels", (body) => {
        expect(body).toEqual({ labels: ["breaking"] });
        return [200, [{ name: "breaking" }]];
      })
      .graphql("CommitPromotionOnScratchBranch", () => ({ createRef: { ref: { id: "REF_S" } }, createCommitOnBranch: { commit: { oid: "c9".repeat(20) } } }))
      .graphql("MovePromotionBranch", ({ variables }) => {
        expect(variables.body).toContain("0.3.2 supersedes 0.3.1");
        return { updateRef: { ref: { id: "REF_OLD" } }, deleteRef: { clientMutationId: null }, updatePullRequest: { pullRequest: { number: 41, url: "https://github.com/acme/old/pull/41" } } };
      })
      .rest("POST", "/repos/acme/old/issues/41/labels", () => [200, [{ name: "breaking" }]]);
    const report = expectCheckRun();
    nock(REGISTRY).get("/@acme%2fcontracts").reply(200, packument(["0.3.1", "0.3.2"]));
    await receive();
    github.assertDone();
    expect(report()).toMatchObject({ head_sha: TAGGED_COMMIT, conclusion: "success", output: { title: "@acme/contracts 0.3.2: 3 PRs, 0 up to date, 0 skipped, 0 failed" } });
    expect(report().output.summary).toContain("**acme/old**: [PR #41](https://github.com/acme/old/pull/41) bumps to 0.3.2 (breaking), superseding 0.3.1.");
  });

  it("discovers consumers among the installation's repositories: dependents only, not archived, not the contracts repo", async () => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({ configText: `${config("    - repository: acme/listed\n")}  discover: true\n`, source: CONTRACTS }))
      .rest("GET", "/installation/repositories?per_page=100", () => [
        200,
        {
          total_count: 5,
          repositories: ["listed", "contracts", "archived", "uses-it", "unrelated"].map((name) => ({ full_name: `acme/${name}`, archived: name === "archived" })),
        },
      ])
      .graphql("ReadConsumers", ({ variables }) => {
        expect([variables.name0, variables.name1, variables.name2]).toEqual(["listed", "uses-it", "unrelated"]);
        return {
          c0: repo("listed", { packageJson: { text: '{\n  "devDependencies": {\n    "@acme/contracts": "0.3.2"\n  }\n}\n' } }),
          c1: repo("uses-it", { packageJson: { text: '{\n  "peerDependencies": {\n    "@acme/contracts": "^0.3.0"\n  }\n}\n' } }),
          c2: repo("unrelated", { packageJson: { text: '{\n  "dependencies": {\n    "left-pad": "1.0.0"\n  }\n}\n' } }),
        };
      })
      .graphql("OpenPromotionPullRequest", ({ variables }) => {
        expect(variables.repositoryNameWithOwner).toBe("acme/uses-it");
        return opened(2);
      });
    const report = expectCheckRun();
    nock(REGISTRY).get("/@acme%2fcontracts").reply(200, packument(["0.3.1", "0.3.2"]));
    await receive();
    github.assertDone();
    expect(report().output.title).toBe("@acme/contracts 0.3.2: 1 PR, 1 up to date, 0 skipped, 0 failed");
    expect(report().output.summary).not.toContain("unrelated");
    expect(report().output.summary).not.toContain("archived");
  });

  it("sends only documents GitHub's schema accepts", () => {
    assertValidGraphql(
      readConsumersDocument([
        { repository: { owner: "acme", name: "a" }, branch: "b" },
        { repository: { owner: "acme", name: "c" }, branch: "b", pinFile: "requirements.txt" },
      ]),
      { owner0: "acme", name0: "a", ref0: "refs/heads/b", branch0: "b", owner1: "acme", name1: "c", ref1: "refs/heads/b", branch1: "b", pin1: "HEAD:requirements.txt" },
    );
  });
});
