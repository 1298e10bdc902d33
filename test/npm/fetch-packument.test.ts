import { afterEach, describe, expect, it, vi } from "vitest";
import { PromoterError } from "../../src/errors.js";
import { lockfileEntryOf, waitForPublishedVersion, type WaitForPublishedVersionOptions } from "../../src/npm/fetch-packument.js";
import { scriptedFetch, type ScriptedFetch, type ScriptedRequest, type ScriptedResponse } from "../registry/scripted-fetch.js";
import { fakeClock } from "../helpers/fake-clock.js";

const REGISTRY = "https://npm.pkg.github.com/";
const URL_ = "https://npm.pkg.github.com/@acme%2fcontracts";
const TOKEN = "npm_s3cret-token-value";

let registry: ScriptedFetch | undefined;
afterEach(() => {
  registry?.assertDone();
  registry = undefined;
});


function manifest(version: string, extra: Record<string, unknown> = {}) {
  return {
    name: "@acme/contracts",
    version,
    license: "MIT",
    dist: {
      tarball: `https://npm.pkg.github.com/download/@acme/contracts/${version}/abc`,
      integrity: `sha512-${version}`,
      shasum: "0".repeat(40),
    },
    ...extra,
  };
}

function packument(versions: Record<string, unknown>, latest?: string): ScriptedResponse {
  return {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "@acme/contracts", "dist-tags": latest ? { latest } : {}, versions }),
  };
}

const get = (respond: ScriptedRequest["respond"], headers: ScriptedRequest["headers"] = { accept: "application/json", authorization: null }): ScriptedRequest => ({
  method: "GET",
  url: URL_,
  headers,
  respond,
});

function wait(script: ScriptedRequest[], options: Partial<WaitForPublishedVersionOptions> = {}) {
  registry = scriptedFetch(script);
  const clock = fakeClock();
  const onWait = vi.fn();
  const promise = waitForPublishedVersion({
    registry: REGISTRY,
    name: "@acme/contracts",
    version: "0.3.2",
    fetch: registry.fetch,
    sleep: clock.sleep,
    now: clock.now,
    onWait,
    random: () => 1,
    ...options,
  });
  return { promise, clock, onWait };
}

describe("waitForPublishedVersion", () => {
  it("returns the version's dependencies, dist and lockfile fields", async () => {
    const { promise } = wait([
      get(packument({ "0.3.2": manifest("0.3.2", { dependencies: { zod: "^4.0.0" }, peerDependencies: { react: ">=18" }, scripts: { test: "vitest" } }) }, "0.3.2")),
    ]);
    expect(await promise).toEqual({
      name: "@acme/contracts",
      version: "0.3.2",
      dependencies: { zod: "^4.0.0" },
      peerDependencies: { react: ">=18" },
      dist: { tarball: "https://npm.pkg.github.com/download/@acme/contracts/0.3.2/abc", integrity: "sha512-0.3.2" },
      lockfileEntry: { dependencies: { zod: "^4.0.0" }, peerDependencies: { react: ">=18" }, license: "MIT" },
    });
  });

  it("sends the token as a Bearer token, and the registry's path is kept", async () => {
    registry = scriptedFetch([
      {
        method: "GET",
        url: "https://artifactory.example.com/api/npm/npm-virtual/@acme%2fcontracts",
        headers: { authorization: `Bearer ${TOKEN}` },
        respond: packument({ "0.3.2": manifest("0.3.2") }),
      },
    ]);
    const published = await waitForPublishedVersion({
      registry: "https://artifactory.example.com/api/npm/npm-virtual",
      token: TOKEN,
      name: "@acme/contracts",
      version: "0.3.2",
      fetch: registry.fetch,
    });
    expect(published.version).toBe("0.3.2");
  });

  it("the packument lagging behind the tag: 404, then a packument without the version, then the version → waits twice, proceeds", async () => {
    const { promise, clock, onWait } = wait(
      [
        get({ status: 404, body: '{"error":"not found"}' }),
        get(packument({ "0.3.1": manifest("0.3.1") }, "0.3.1")),
        get(packument({ "0.3.1": manifest("0.3.1"), "0.3.2": manifest("0.3.2") }, "0.3.2")),
      ],
      { wait: { timeoutMs: 60_000, initialDelayMs: 1_000 } },
    );
    expect((await promise).version).toBe("0.3.2");
    expect(clock.sleep).toHaveBeenCalledTimes(2);
    expect(onWait.mock.calls.map(([info]) => info.attempt)).toEqual([1, 2]);
  });

  it("a version that never appears ends in package_version_missing (retryable) that says what to check", async () => {
    const { promise, clock } = wait([{ ...get(packument({ "0.3.1": manifest("0.3.1") }, "0.3.1")), times: 5 }], {
      wait: { timeoutMs: 10_000, initialDelayMs: 1_000, maxDelayMs: 4_000 },
    });
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromoterError);
    expect(error).toMatchObject({ code: "package_version_missing", retryable: true });
    expect((error as Error).message).toMatch(
      /^@acme\/contracts@0\.3\.2 is not in https:\/\/npm\.pkg\.github\.com\/ yet \(latest is 0\.3\.1\) after 5 attempts over 10s; check that the publish job ran and published @acme\/contracts@0\.3\.2 to https:\/\/npm\.pkg\.github\.com\/, then push the tag again$/,
    );
    expect(clock.sleep.mock.calls.reduce((sum, [ms]) => sum + ms, 0)).toBe(10_000);
  });

  it("without a wait, one attempt", async () => {
    const { promise } = wait([get({ status: 404 })]);
    await expect(promise).rejects.toMatchObject({ code: "package_version_missing", message: expect.stringContaining("HTTP 404; a private package needs a token") });
  });

  it.each([
    [401, undefined, "registry https://npm.pkg.github.com/ answered HTTP 401 for @acme/contracts (credential: anonymous); configure a token for the registry if the package is private"],
    [403, TOKEN, "registry https://npm.pkg.github.com/ answered HTTP 403 for @acme/contracts (credential: the configured token); check that the token can read the package"],
  ])("HTTP %i is registry_unauthorized at once, naming the credential but never its value", async (status, token, message) => {
    const headers = { authorization: token ? `Bearer ${token}` : null };
    const { promise, clock } = wait([get({ status }, headers)], { token, wait: { timeoutMs: 60_000 } });
    const error = (await promise.catch((e: unknown) => e)) as PromoterError;
    expect(error).toMatchObject({ code: "registry_unauthorized", retryable: false, message });
    expect(error.message).not.toContain(TOKEN);
    expect(clock.sleep).not.toHaveBeenCalled();
  });

  it("5xx and network failures are retried, Retry-After honoured", async () => {
    const { promise, clock } = wait(
      [
        get({ status: 503, headers: { "retry-after": "7" } }),
        get(new TypeError("fetch failed", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) })),
        get(packument({ "0.3.2": manifest("0.3.2") })),
      ],
      { wait: { timeoutMs: 60_000, initialDelayMs: 100 } },
    );
    expect((await promise).version).toBe("0.3.2");
    expect(clock.sleep.mock.calls[0]![0]).toBe(7_000);
  });

  it("a registry that keeps failing ends in registry_unavailable after the wait", async () => {
    const { promise } = wait([{ ...get({ status: 502 }), times: 4 }], { wait: { timeoutMs: 3_000, initialDelayMs: 1_000, maxDelayMs: 1_000 } });
    await expect(promise).rejects.toMatchObject({
      code: "registry_unavailable",
      message: expect.stringMatching(/answered HTTP 502 for @acme\/contracts after 4 attempts over 3s; retry later$/),
    });
  }, 10_000);

  it.each([
    ["not JSON", { status: 200, body: "<html>" }, "sent a packument for @acme/contracts that is not JSON"],
    ["no dist", packument({ "0.3.2": { version: "0.3.2" } }), "lists @acme/contracts@0.3.2 without dist.tarball"],
    ["no integrity", packument({ "0.3.2": { version: "0.3.2", dist: { tarball: "https://x/t.tgz" } } }), "without dist.integrity or dist.shasum"],
    ["bad dependencies", packument({ "0.3.2": { ...manifest("0.3.2"), dependencies: { zod: 4 } } }), "with a dependency map that is not name → range"],
  ])("%s is registry_invalid_response", async (_, respond, message) => {
    const { promise } = wait([get(respond as ScriptedResponse)], { wait: { timeoutMs: 60_000 } });
    await expect(promise).rejects.toMatchObject({ code: "registry_invalid_response", retryable: false, message: expect.stringContaining(message) });
  });

  it("an old version with only a shasum gets the sha1 integrity npm derives", async () => {
    const old = { version: "0.3.2", dist: { tarball: "https://x/t.tgz", shasum: "7ae18d8561d45576337ac1daf4247e6ef9cda889" } };
    const { promise } = wait([get(packument({ "0.3.2": old }))]);
    expect((await promise).dist.integrity).toBe(`sha1-${Buffer.from("7ae18d8561d45576337ac1daf4247e6ef9cda889", "hex").toString("base64")}`);
  });

  it("refuses a name that is not an npm package name before any request", async () => {
    registry = scriptedFetch([]);
    await expect(waitForPublishedVersion({ registry: REGISTRY, name: "../etc/passwd", version: "1.0.0", fetch: registry.fetch })).rejects.toThrow(RangeError);
  });
});

describe("lockfileEntryOf: the manifest fields npm copies into a lockfile entry", () => {
  it.each([
    [{ license: { type: "MIT", url: "x" } }, { license: "MIT" }],
    [{ dependencies: {}, engines: { node: ">=20" }, deprecated: "" }, { engines: { node: ">=20" } }],
    [{ scripts: { postinstall: "node x.js" } }, { hasInstallScript: true }],
    [{ hasInstallScript: true }, { hasInstallScript: true }],
    [{ scripts: { build: "tsc" }, hasInstallScript: false }, {}],
    [{ bundledDependencies: ["a"], _hasShrinkwrap: true }, { bundleDependencies: ["a"], hasShrinkwrap: true }],
    [{ bin: { contracts: "bin/cli.js" }, os: ["linux"], cpu: ["x64"], funding: "https://x" }, { bin: { contracts: "bin/cli.js" }, os: ["linux"], cpu: ["x64"], funding: "https://x" }],
    [{ description: "ignored", main: "index.js", readme: "…" }, {}],
  ])("%j → %j", (manifest, entry) => {
    expect(lockfileEntryOf(manifest)).toEqual(entry);
  });
});
