/**
 * The provider token cache on its own: a token is reused until REFRESH_MARGIN_MS before it
 * expires, fetched once more after that, shared by callers asking while a fetch is under way,
 * and never kept when the fetch fails.
 */
import { describe, expect, it, vi } from "vitest";
import { ProviderTokenCache, REFRESH_MARGIN_MS, type ProviderToken } from "../../src/registry/provider-token-cache.js";
import { fakeClock } from "../helpers/fake-clock.js";

const HOUR = 3_600_000;

function tokenUntil(expiresAt: number, password = "pw"): ProviderToken {
  return { username: "AWS", password, expiresAt };
}

describe("ProviderTokenCache", () => {
  it("reuses a token until the margin before its expiry, then fetches once more", async () => {
    const clock = fakeClock();
    const cache = new ProviderTokenCache(clock.now);
    const expiresAt = clock.now() + 12 * HOUR;
    const fetchToken = vi.fn(async () => tokenUntil(expiresAt, `pw-${fetchToken.mock.calls.length}`));

    expect(await cache.get("ecr r", fetchToken)).toEqual(tokenUntil(expiresAt, "pw-1"));
    await clock.sleep(12 * HOUR - REFRESH_MARGIN_MS - 1);
    expect(await cache.get("ecr r", fetchToken)).toEqual(tokenUntil(expiresAt, "pw-1"));
    expect(fetchToken).toHaveBeenCalledTimes(1);

    await clock.sleep(1);
    expect(await cache.get("ecr r", fetchToken)).toEqual(tokenUntil(expiresAt, "pw-2"));
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it("keeps tokens apart by key", async () => {
    const cache = new ProviderTokenCache(fakeClock().now);
    const far = Date.UTC(2030, 0, 1);
    await cache.get("ecr a", async () => tokenUntil(far, "a"));
    expect(await cache.get("ecr b", async () => tokenUntil(far, "b"))).toMatchObject({ password: "b" });
  });

  it("gives callers asking during a fetch that fetch's token", async () => {
    const cache = new ProviderTokenCache(fakeClock().now);
    let release!: (token: ProviderToken) => void;
    const gate = new Promise<ProviderToken>((resolve) => (release = resolve));
    const fetchToken = vi.fn(() => gate);

    const first = cache.get("gar r", fetchToken);
    const second = cache.get("gar r", fetchToken);
    release(tokenUntil(Date.UTC(2030, 0, 1)));
    expect(await Promise.all([first, second])).toEqual([tokenUntil(Date.UTC(2030, 0, 1)), tokenUntil(Date.UTC(2030, 0, 1))]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it("does not keep a failed fetch: callers sharing it fail, the next caller fetches again", async () => {
    const cache = new ProviderTokenCache(fakeClock().now);
    let fail!: (error: Error) => void;
    const gate = new Promise<ProviderToken>((_, reject) => (fail = reject));
    const failing = vi.fn(() => gate);
    const first = cache.get("acr r", failing);
    const second = cache.get("acr r", failing);
    fail(new Error("refused"));
    await expect(first).rejects.toThrow("refused");
    await expect(second).rejects.toThrow("refused");

    const fetchToken = vi.fn(async () => tokenUntil(Date.UTC(2030, 0, 1)));
    expect(await cache.get("acr r", fetchToken)).toEqual(tokenUntil(Date.UTC(2030, 0, 1)));
    expect(failing).toHaveBeenCalledTimes(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it("forgets a token on request", async () => {
    const cache = new ProviderTokenCache(fakeClock().now);
    const fetchToken = vi.fn(async () => tokenUntil(Date.UTC(2030, 0, 1)));
    await cache.get("ecr r", fetchToken);
    cache.forget("ecr r");
    await cache.get("ecr r", fetchToken);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});
