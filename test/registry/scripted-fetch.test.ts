import { describe, expect, it } from "vitest";
import { scriptedFetch } from "./scripted-fetch.js";

/** The mock must be strict, or the registry tests prove nothing. */
describe("scriptedFetch", () => {
  it("answers scripted requests in order, `times` included", async () => {
    const mock = scriptedFetch([
      { method: "HEAD", url: "https://r.test/a", respond: { status: 200 }, times: 2 },
      { method: "GET", url: "https://r.test/b?x=1", headers: { accept: "x/y", authorization: null }, respond: { status: 404, body: "no" } },
    ]);
    expect((await mock.fetch("https://r.test/a", { method: "HEAD" })).status).toBe(200);
    expect((await mock.fetch(new URL("https://r.test/a"), { method: "HEAD" })).status).toBe(200);
    const response = await mock.fetch("https://r.test/b?x=1", { headers: { Accept: "x/y" } });
    expect([response.status, await response.text()]).toEqual([404, "no"]);
    mock.assertDone();
    expect(mock.calls).toEqual(["HEAD https://r.test/a", "HEAD https://r.test/a", "GET https://r.test/b?x=1"]);
  });

  it("fails assertDone on an unexpected request even when the caller swallowed the error", async () => {
    const mock = scriptedFetch([]);
    await mock.fetch("https://r.test/a").catch(() => undefined);
    expect(() => mock.assertDone()).toThrow("unexpected request GET https://r.test/a (expected no more requests)");
  });

  it("fails assertDone on a scripted request that never came", () => {
    const mock = scriptedFetch([{ method: "HEAD", url: "https://r.test/a", respond: { status: 200 } }]);
    expect(() => mock.assertDone()).toThrow("scripted request never came: HEAD https://r.test/a");
  });

  it("fails on a header that differs from the script, or is present when it must be absent", async () => {
    const mock = scriptedFetch([
      { method: "GET", url: "https://r.test/a", headers: { authorization: null }, respond: { status: 200 } },
    ]);
    await mock.fetch("https://r.test/a", { headers: { authorization: "Bearer x" } }).catch(() => undefined);
    expect(() => mock.assertDone()).toThrow('header authorization was "Bearer x", expected null');
  });

  it("rejects with a scripted network error", async () => {
    const mock = scriptedFetch([{ method: "GET", url: "https://r.test/a", respond: new TypeError("fetch failed") }]);
    await expect(mock.fetch("https://r.test/a")).rejects.toThrow("fetch failed");
    mock.assertDone();
  });
});
