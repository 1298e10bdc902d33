import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkStrictMocks, resetStrictMocks } from "../setup/strict-mocks.js";
import { scriptedFetch } from "../registry/scripted-fetch.js";
import { GitHubMock } from "./github-mock.js";

/**
 * The check after every test (test/setup/check-mocks-after-each-test.ts) must be strict, or
 * every other HTTP test proves less than it says. Each test here ends clean, so that check
 * also passes for the tests of the checker.
 */
beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.enableNetConnect();
});

const HEAD_MANIFEST = "/v2/acme/core-api/manifests/6113728f27ae82c7b1a177c8d03f9e96e0adf246";

describe("checkStrictMocks", () => {
  it("passes when every nock mock and scripted request was used", async () => {
    nock("https://ghcr.io").head(HEAD_MANIFEST).reply(200);
    const registry = scriptedFetch([{ method: "GET", url: "https://r.test/a", respond: { status: 200 } }]);
    expect((await fetch(`https://ghcr.io${HEAD_MANIFEST}`, { method: "HEAD" })).status).toBe(200);
    expect((await registry.fetch("https://r.test/a")).status).toBe(200);
    expect(() => checkStrictMocks()).not.toThrow();
  });

  it("names a nock mock nobody requested, and passes once cleaned", () => {
    nock("https://ghcr.io").head(HEAD_MANIFEST).reply(200);
    expect(() => checkStrictMocks()).toThrow(`Strict mocks: 1 problem\n- pending nock mock never requested: HEAD https://ghcr.io:443${HEAD_MANIFEST}`);
    resetStrictMocks();
    expect(() => checkStrictMocks()).not.toThrow();
  });

  it("still names the mock when the test's own afterEach ran nock.cleanAll() first", () => {
    nock("https://registry.npmjs.org").get("/@acme%2fcontracts").reply(200, {});
    nock.cleanAll();
    expect(nock.pendingMocks()).toEqual([]);
    expect(() => checkStrictMocks()).toThrow(
      "pending nock mock never requested: GET https://registry.npmjs.org:443/@acme%2fcontracts (discarded by nock.cleanAll() before the check)",
    );
    expect(() => checkStrictMocks()).not.toThrow();
  });

  it("names a request nock could not answer, even when the caller swallowed the error", async () => {
    nock("https://ghcr.io").head(HEAD_MANIFEST).reply(200);
    await fetch("https://ghcr.io/v2/acme/other/manifests/x", { method: "HEAD" }).catch(() => undefined);
    await fetch("https://registry.npmjs.org/left-pad").catch(() => undefined);
    expect(() => checkStrictMocks()).toThrow(
      [
        "Strict mocks: 3 problems",
        "- unexpected request: HEAD https://ghcr.io/v2/acme/other/manifests/x",
        "- unexpected request: GET https://registry.npmjs.org/left-pad",
        `- pending nock mock never requested: HEAD https://ghcr.io:443${HEAD_MANIFEST}`,
      ].join("\n"),
    );
    resetStrictMocks();
    expect(() => checkStrictMocks()).not.toThrow();
  });

  it("lets loopback requests through (the app server, a local registry)", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      nock.enableNetConnect("127.0.0.1");
      const { port } = server.address() as AddressInfo;
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe("ok");
      expect(() => checkStrictMocks()).not.toThrow();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails on a scripted fetch whose entries were never requested, without the test calling assertDone()", () => {
    scriptedFetch([
      { method: "HEAD", url: "https://r.test/a", respond: { status: 200 } },
      { method: "GET", url: "https://r.test/b", respond: { status: 200 }, times: 2 },
    ]);
    expect(() => checkStrictMocks()).toThrow(
      [
        "Strict mocks: 2 problems",
        "- scripted fetch: scripted request never came: HEAD https://r.test/a (1 more)",
        "- scripted fetch: scripted request never came: GET https://r.test/b (2 more)",
      ].join("\n"),
    );
    expect(() => checkStrictMocks()).not.toThrow();
  });

  it("fails on a request a scripted fetch refused, even when the caller swallowed the error", async () => {
    const registry = scriptedFetch([]);
    await registry.fetch("https://r.test/a").catch(() => undefined);
    expect(() => checkStrictMocks()).toThrow("scripted fetch: unexpected request GET https://r.test/a (expected no more requests)");
    expect(() => checkStrictMocks()).not.toThrow();
  });

  it("reports what assertDone() reported only once, and still catches what happens after it", async () => {
    const registry = scriptedFetch([{ method: "HEAD", url: "https://r.test/a", respond: { status: 200 } }]);
    expect(() => registry.assertDone()).toThrow("scripted request never came: HEAD https://r.test/a (1 more)");
    expect(() => checkStrictMocks()).not.toThrow();
    await registry.fetch("https://r.test/late").catch(() => undefined);
    expect(() => checkStrictMocks()).toThrow("scripted fetch: unexpected request GET https://r.test/late (expected HEAD https://r.test/a)");
  });

  it("fails on a GitHubMock expectation that never came, named by its operation, when the test forgot assertDone()", () => {
    new GitHubMock().graphql("ReadPromotionTargets", () => ({})).rest("POST", "/repos/acme/core-api/check-runs", () => [201, { id: 1 }]);
    let message = "";
    try {
      checkStrictMocks();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        "Strict mocks: 2 problems",
        "- GitHub mock (https://api.github.com): expected request never came: GraphQL ReadPromotionTargets",
        "- GitHub mock (https://api.github.com): expected request never came: POST /repos/acme/core-api/check-runs",
      ].join("\n"),
    );
    // Not listed a second time as nock's own pending interceptor.
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("fails on a request that does not conform to GitHub's API description, when the test forgot assertDone()", async () => {
    new GitHubMock().rest("GET", "/repos/acme/infra/no-such-route", () => [200, {}]);
    await fetch("https://api.github.com/repos/acme/infra/no-such-route");
    expect(() => checkStrictMocks()).toThrow(/^Strict mocks: 1 problem\n- GitHub mock \(https:\/\/api\.github\.com\): .*no-such-route/);
  });

  it("leaves a registry mock for the check when GitHubMock.assertDone() passes (it used to nock.cleanAll() it away)", async () => {
    const github = new GitHubMock().rest("GET", "/repos/acme/infra", () => [200, { id: 1 }]);
    nock("https://ghcr.io").head(HEAD_MANIFEST).reply(200);
    expect((await fetch("https://api.github.com/repos/acme/infra")).status).toBe(200);
    github.assertDone();
    github.assertDone();
    expect(() => checkStrictMocks()).toThrow(`Strict mocks: 1 problem\n- pending nock mock never requested: HEAD https://ghcr.io:443${HEAD_MANIFEST}`);
    resetStrictMocks();
  });

  it("GitHubMock.assertDone() reports an unexpected request once; the check does not repeat it", async () => {
    const github = new GitHubMock();
    await fetch("https://api.github.com/repos/acme/infra").catch(() => undefined);
    expect(() => github.assertDone()).toThrow("GitHub mock:\n- unexpected request: GET https://api.github.com/repos/acme/infra");
    expect(() => checkStrictMocks()).not.toThrow();
  });
});

describe("the check after every test (setup file)", () => {
  let failure: string | undefined;

  it.fails("fails a test that leaves a nock mock and a scripted fetch entry unused", ({ onTestFailed }) => {
    onTestFailed(({ task }) => {
      failure = task.result?.errors?.map((error) => error.message).join("\n");
    });
    nock("https://ghcr.io").head(HEAD_MANIFEST).reply(200);
    scriptedFetch([{ method: "GET", url: "https://r.test/never", respond: { status: 200 } }]);
  });

  it("…and says which ones", () => {
    expect(failure).toBe(
      [
        "Strict mocks: 2 problems",
        "- scripted fetch: scripted request never came: GET https://r.test/never (1 more)",
        `- pending nock mock never requested: HEAD https://ghcr.io:443${HEAD_MANIFEST}`,
      ].join("\n"),
    );
  });
});

describe("a test whose own afterEach threw, so vitest skipped the check after it", () => {
  let teardownFails = true;
  afterEach(() => {
    if (!teardownFails) return;
    teardownFails = false;
    throw new Error("teardown failed");
  });

  it.fails("leaves a nock mock behind", () => {
    nock("https://ghcr.io").head(HEAD_MANIFEST).reply(200);
  });

  it("does not pass it on to the next test", () => {
    expect(nock.pendingMocks()).toEqual([]);
  });
});
