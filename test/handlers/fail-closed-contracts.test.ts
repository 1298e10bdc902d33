/**
 * Contracts releases fail closed: a consumer is never lowered (pins as npm ranges), an older
 * release never overwrites an open bump PR that proposes a newer version (and no npm work is
 * done for it), a package.json with a byte-order mark is read, and what cannot be read is
 * reported, never guessed.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CONTRACTS,
  NPM_REGISTRY,
  consumerRepository,
  contractsConfig,
  expectContractsCheckRun,
  openBumpPullRequest,
  openedPullRequest,
  packument,
  receiveTag,
} from "../helpers/contracts-mocks.js";
import { GitHubMock } from "../helpers/github-mock.js";
import { decodeCommittedFile, promotionContext } from "../helpers/promotion-mocks.js";

let github: GitHubMock;
beforeEach(() => {
  nock.disableNetConnect();
  github = new GitHubMock();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const PIN = '      pin: { file: requirements.txt, pattern: "acme-contracts-schemas=={version}" }\n';

function release(consumers: string, repositories: Record<string, unknown>, versions = ["0.3.1", "0.3.2", "0.4.0"]) {
  github
    .accessToken(4242)
    .graphql("ReadPromotionContext", () => promotionContext({ configText: contractsConfig(consumers), source: CONTRACTS }))
    .graphql("ReadConsumers", () => repositories);
  nock(NPM_REGISTRY).get("/@acme%2fcontracts").reply(200, packument(versions));
  return expectContractsCheckRun(github);
}

describe("contracts releases never lower a consumer", () => {
  it("leaves a pin at a newer version alone (no PR, no breaking label)", async () => {
    const report = release(`    - repository: acme/ai-coach\n${PIN}`, {
      c0: consumerRepository("ai-coach", { pin: { text: "fastapi==0.110.0\nacme-contracts-schemas==0.4.0\n" } }),
    });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report().output).toEqual({
      title: "@acme/contracts 0.3.2: 0 PRs, 1 up to date, 0 skipped, 0 failed",
      summary: "- **acme/ai-coach**: up to date. requirements.txt pins 0.4.0, newer than 0.3.2; the app never lowers a consumer.",
    });
  });

  it("still raises a pin at an older version", async () => {
    const report = release(`    - repository: acme/ai-coach\n${PIN}`, {
      c0: consumerRepository("ai-coach", { pin: { text: "acme-contracts-schemas==0.3.1\n" } }),
    });
    github.graphql("OpenPromotionPullRequest", ({ variables }) => {
      expect(decodeCommittedFile(variables)).toEqual({ path: "requirements.txt", text: "acme-contracts-schemas==0.3.2\n" });
      return openedPullRequest(5);
    });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report().conclusion).toBe("success");
  });

  it("refuses a pin that is not a SemVer version, changing nothing", async () => {
    const report = release(`    - repository: acme/ai-coach\n${PIN}`, {
      c0: consumerRepository("ai-coach", { pin: { text: "acme-contracts-schemas==0.4.0.post1\n" } }),
    });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report()).toMatchObject({ conclusion: "failure" });
    expect(report().output.summary).toBe(
      '- **acme/ai-coach**: failed (`pin_unreadable`). requirements.txt (line 1) pins "0.4.0.post1", which is not a SemVer version; the app cannot tell whether 0.3.2 is newer, so it changed nothing.',
    );
  });
});

describe("an open bump PR is compared first, before any npm work", () => {
  // The consumer's lockfile would need npm to regenerate it: if the app planned before comparing,
  // it would run npm (and fail here: the registry mock answers only the packument).
  const lockfile = JSON.stringify({ name: "x", lockfileVersion: 3, requires: true, packages: { "": { dependencies: { "@acme/contracts": "^0.4.0" } } } }, null, 2);
  const consumer = (title: string) =>
    consumerRepository("web-ui", {
      packageJson: { text: '{\n  "dependencies": {\n    "@acme/contracts": "^0.4.0"\n  }\n}\n' },
      packageLock: { text: lockfile },
      ...openBumpPullRequest("web-ui", 12, title),
    });

  it("an older release leaves a PR that proposes a newer version alone, and says so", async () => {
    const report = release("    - repository: acme/web-ui\n", { c0: consumer("Bump @acme/contracts to 0.4.0") });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report()).toMatchObject({ conclusion: "neutral" });
    expect(report().output.summary).toBe(
      "- **acme/web-ui**: skipped. [PR #12](https://github.com/acme/web-ui/pull/12) already proposes 0.4.0, newer than 0.3.2; left as it is.",
    );
  });

  it("a PR that already proposes this release is reported as it is", async () => {
    const report = release("    - repository: acme/web-ui\n", { c0: consumer("Bump @acme/contracts to 0.3.2") });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report().output.summary).toBe("- **acme/web-ui**: [PR #12](https://github.com/acme/web-ui/pull/12) bumps to 0.3.2.");
  });

  it("a PR on the app's branch whose title it cannot read is not overwritten", async () => {
    const report = release("    - repository: acme/web-ui\n", { c0: consumer("contracts bump (please review)") });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report()).toMatchObject({ conclusion: "failure" });
    expect(report().output.summary).toBe(
      '- **acme/web-ui**: failed (`pull_request_unreadable`). PR #12 on release-promoter/contracts/@acme/contracts is titled "contracts bump (please review)", so the app cannot tell which version it proposes; it was left as it is. Restore the title "Bump @acme/contracts to X.Y.Z", or close the PR to let the app open a new one.',
    );
  });
});

describe("discovered consumers", () => {
  function discover(repositories: Record<string, unknown>, names: string[]) {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({ configText: `${contractsConfig("    []\n").replace("consumers:\n", "consumers:")}  discover: true\n`, source: CONTRACTS }))
      .rest("GET", "/installation/repositories?per_page=100", () => [200, { total_count: names.length, repositories: names.map((name) => ({ full_name: `acme/${name}`, archived: false })) }])
      .graphql("ReadConsumers", () => repositories);
    nock(NPM_REGISTRY).get("/@acme%2fcontracts").reply(200, packument(["0.3.1", "0.3.2"]));
    return expectContractsCheckRun(github);
  }

  it("reads a package.json that starts with a byte-order mark", async () => {
    const report = discover({ c0: consumerRepository("bom", { packageJson: { text: '\uFEFF{\n  "dependencies": {\n    "@acme/contracts": "^0.3.1"\n  }\n}\n' } }) }, ["bom"]);
    github.graphql("OpenPromotionPullRequest", ({ variables }) => {
      expect(decodeCommittedFile(variables).text).toBe('\uFEFF{\n  "dependencies": {\n    "@acme/contracts": "^0.3.2"\n  }\n}\n');
      return openedPullRequest(3);
    });
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report().output.title).toBe("@acme/contracts 0.3.2: 1 PR, 0 up to date, 0 skipped, 0 failed");
  });

  it("reports a package.json it cannot read instead of skipping the repository silently", async () => {
    const report = discover({ c0: consumerRepository("broken", { packageJson: { text: '{\n  "dependencies": {\n<<<<<<< HEAD\n' } }) }, ["broken"]);
    await receiveTag("contracts-v0.3.2");
    github.assertDone();
    expect(report()).toMatchObject({ conclusion: "failure" });
    expect(report().output.summary).toMatch(/^- \*\*acme\/broken\*\*: failed \(`package_json_invalid`\)\. package\.json is not valid JSON \(.+\); the app cannot tell whether it depends on @acme\/contracts\.$/);
  });
});
