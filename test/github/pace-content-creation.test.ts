import { describe, expect, it } from "vitest";
import { ContentCreationPacer, isContentCreating, rateLimitWait } from "../../src/github/pace-content-creation.js";
import { fakeClock } from "../helpers/fake-clock.js";


describe("ContentCreationPacer", () => {
  it("runs content-creating requests one at a time, each at least a second after the answer to the one before (150 ms of answer + 1 s)", async () => {
    const clock = fakeClock();
    const pacer = new ContentCreationPacer(clock);
    const starts: number[] = [];
    let running = 0;
    let maxRunning = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        pacer.run(async () => {
          starts.push(clock.now());
          maxRunning = Math.max(maxRunning, ++running);
          await clock.sleep(150);
          running--;
        }),
      ),
    );
    expect(maxRunning).toBe(1);
    expect(starts.slice(1).map((t, i) => t - starts[i]!)).toEqual([1200, 1200, 1200, 1200]);
  });

  it("waits out a secondary limit's Retry-After and retries", async () => {
    const clock = fakeClock();
    const waits: number[] = [];
    const pacer = new ContentCreationPacer({ ...clock, onWait: ({ waitMs }) => waits.push(waitMs) });
    let calls = 0;
    const result = await pacer.run(async () => {
      if (++calls === 1) throw Object.assign(new Error("You have exceeded a secondary rate limit"), { status: 403, response: { headers: { "retry-after": "7" } } });
      return "ok";
    });
    expect(result).toBe("ok");
    expect(waits).toEqual([7000]);
  });

  it("gives up after maxRetries and on errors that are not rate limits", async () => {
    const pacer = new ContentCreationPacer({ ...fakeClock(), maxRetries: 2 });
    let calls = 0;
    const limited = Object.assign(new Error("limited"), { status: 429, response: { headers: { "retry-after": "1" } } });
    await expect(pacer.run(async () => { calls++; throw limited; })).rejects.toBe(limited);
    expect(calls).toBe(3);
    const broken = Object.assign(new Error("boom"), { status: 500 });
    await expect(pacer.run(async () => { throw broken; })).rejects.toBe(broken);
    // One failure does not block the queue.
    await expect(pacer.run(async () => "next")).resolves.toBe("next");
  });
});

describe("what counts", () => {
  it.each([
    [{ method: "POST", url: "/graphql", query: "mutation M { x }" }, true],
    [{ method: "POST", url: "/graphql", query: "query Q { x }" }, false],
    // GitHub Enterprise Server: @octokit/graphql sends to <host>/api/graphql.
    [{ method: "POST", url: "http://ghe.example:8080/api/graphql", query: "query Q { x }" }, false],
    [{ method: "POST", url: "https://ghe.example/api/graphql", query: "mutation M { x }" }, true],
    [{ method: "POST", url: "/repos/{owner}/{repo}/check-runs" }, true],
    [{ method: "PATCH", url: "/repos/{owner}/{repo}/check-runs/{check_run_id}" }, true],
    [{ method: "GET", url: "/installation/repositories" }, false],
    [{ method: "POST", url: "/app/installations/{installation_id}/access_tokens" }, false],
  ])("%j → %s", (options, expected) => {
    expect(isContentCreating(options)).toBe(expected);
  });

  it.each([
    [{ status: 403, response: { headers: { "retry-after": "30" } } }, 30_000],
    [{ status: 403, response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060" } } }, 60_000],
    [{ status: 403, message: "You have exceeded a secondary rate limit" }, 60_000],
    [{ status: 403, message: "Resource not accessible by integration" }, undefined],
    [{ status: 500 }, undefined],
  ])("rateLimitWait(%j) = %s", (error, expected) => {
    expect(rateLimitWait(error, 1_000_000)).toBe(expected);
  });
});
