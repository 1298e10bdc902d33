import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { Pacers } from "../../src/github/pace-content-creation.js";
import { createTestProbot } from "../helpers/app-server.js";
import { GitHubMock } from "../helpers/github-mock.js";
import { CONFIG_TEXT, TAGGED_COMMIT, promotionContext, pushPayload } from "../helpers/promotion-mocks.js";

type PushPayload = EmitterWebhookEvent<"push">["payload"];
const CONTRACTS = { nameWithOwner: "acme/contracts", url: "https://github.com/acme/contracts" };
const REGISTRY = "https://registry.npmjs.org";

function configWith(consumers: string[], extra = ""): string {
  return `${CONFIG_TEXT}contracts:
  repository: acme/contracts
  package: "@acme/contracts"
  consumers:
${consumers.map((c) => `    - repository: ${c}`).join("\n")}
${extra}`;
}

function packument(versions: string[]) {
  return {
    name: "@acme/contracts",
    "dist-tags": { latest: versions.at(-1) },
    versions: Object.fromEntries(
      versions.map((v) => [
        v,
        {
          name: "@acme/contracts",
          version: v,
          dependencies: { zod: "^3.23.0" },
          dist: { tarball: `${REGISTRY}/@acme/contracts/-/contracts-${v}.tgz`, integrity: `sha512-${Buffer.from(v).toString("base64")}` },
        },
      ]),
    ),
  };
}

const packageJson = (range: string) => `{\n  "name": "svc",\n  "version": "1.0.0",\n  "dependencies": {\n    "@acme/contracts": "${range}",\n    "zod": "^3.23.0"\n  }\n}\n`;

function consumerRepo(name: string, options: { archived?: boolean; packageJson?: string | null } = {}) {
  return {
    id: `R_${name}`,
    nameWithOwner: `acme/${name}`,
    url: `https://github.com/acme/${name}`,
    isArchived: options.archived ?? false,
    defaultBranchRef: { name: "main", target: { oid: "de".repeat(20) } },
    packageJson: options.packageJson === null ? null : { text: options.packageJson ?? packageJson("^0.3.1") },
    packageLock: null,
    ref: null,
    pullRequests: { nodes: [] },
  };
}

let github: GitHubMock;
beforeEach(() => {
  nock.disableNetConnect();
  github = new GitHubMock();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function receive(payload: Record<string, unknown>, pacers = new Pacers()) {
  const { probot, tasks } = await createTestProbot({}, { pacers });
  await probot.receive({ id: "d-1", name: "push", payload: payload as unknown as PushPayload });
  await tasks.idle();
}

describe("a contracts release", () => {
  it("fans out to 30 consumers: 26 PRs, the rest reported with reasons, content-creating requests at least a second apart", { timeout: 120_000 }, async () => {
    const names = Array.from({ length: 30 }, (_, i) => `svc-${String(i + 1).padStart(2, "0")}`);
    const special: Record<string, Parameters<typeof consumerRepo>[1]> = {
      "svc-05": { archived: true },
      "svc-10": { packageJson: null },
      "svc-15": { packageJson: packageJson("^0.3.2") },
    };
    const failing = "svc-20";
    const limited = "svc-25";
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext({ configText: configWith(names.map((n) => `acme/${n}`)), source: CONTRACTS }));
    for (let batch = 0; batch < 3; batch++) {
      github.graphql("ReadConsumers", ({ variables }) => {
        const data: Record<string, unknown> = {};
        for (let i = 0; i < 10; i++) {
          const name = String(variables[`name${i}`]);
          data[`c${i}`] = consumerRepo(name, special[name]);
        }
        return data;
      });
    }
    const opened: string[] = [];
    let limitedOnce = false;
    for (let n = 0; n < 26 + 1 + 1; n++) {
      github.graphql("OpenPromotionPullRequest", ({ variables }) => {
        const repo = String(variables.repositoryNameWithOwner);
        if (repo === `acme/${failing}`) return { errors: [{ message: "Something went wrong" }], __status: 500 };
        if (repo === `acme/${limited}` && !limitedOnce) {
          limitedOnce = true;
          return { __status: 403, __headers: { "retry-after": "2" }, message: "You have exceeded a secondary rate limit." };
        }
        opened.push(repo);
        return {
          createRef: { ref: { id: `REF_${repo}` } },
          createCommitOnBranch: { commit: { oid: "cc".repeat(20) } },
          createPullRequest: { pullRequest: { number: opened.length, url: `https://github.com/${repo}/pull/${opened.length}` } },
        };
      });
    }
    let report: Record<string, any> | undefined;
    github.rest("POST", "/repos/acme/contracts/check-runs", (body) => {
      report = body as Record<string, any>;
      return [201, { id: 1 }];
    });
    nock(REGISTRY).get("/@acme%2fcontracts").reply(200, packument(["0.3.1", "0.3.2"]));

    await receive(pushPayload({ repository: "acme/contracts", tag: "contracts-v0.3.2" }));
    github.assertDone();

    expect(opened).toHaveLength(26);
    expect(new Set(opened).size).toBe(26);
    expect(opened).toContain(`acme/${limited}`);
    expect(report).toMatchObject({ head_sha: TAGGED_COMMIT, conclusion: "failure", output: { title: "@acme/contracts 0.3.2: 26 PRs, 1 up to date, 2 skipped, 1 failed" } });
    const summary: string = report!.output.summary;
    expect(summary).toContain("**acme/svc-05**: skipped. it is archived.");
    expect(summary).toContain("**acme/svc-10**: skipped. it has no package.json");
    expect(summary).toMatch(/\*\*acme\/svc-15\*\*: up to date\./);
    expect(summary).toMatch(/\*\*acme\/svc-20\*\*: failed \(`github_unavailable`\)/);
    expect(summary).toContain("**acme/svc-01**: [PR #1](https://github.com/acme/svc-01/pull/1) bumps to 0.3.2.");

    // GitHub's secondary limits: content-creating requests one at a time, >= 1 s apart.
    const creating = github.requests.filter((r) => r.kind === "write").map((r) => r.at);
    expect(creating.length).toBe(26 + 1 + 1 + 1); // the PRs, the 500, the 403, the check run
    const gaps = creating.slice(1).map((t, i) => t - creating[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  });
});
