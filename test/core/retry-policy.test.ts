import { describe, expect, it } from "vitest";
import { FIRST_RETRY_MS, MAX_JOB_RETRIES, MAX_RETRY_MS, decideRetry } from "../../src/core/retry-policy.js";

const retryable = (code: string) => ({ code, retryable: true });

describe("decideRetry", () => {
  it.each([
    ["a non-retryable refusal", { code: "invalid_tag", retryable: false }, 0],
    ["image_not_found: its wait (imageWaitSeconds) already ran", retryable("image_not_found"), 0],
    ["a retryable failure after the last retry", retryable("github_unavailable"), MAX_JOB_RETRIES],
  ])("reports %s at once", (_, failure, retries) => {
    expect(decideRetry(failure, retries)).toEqual({ kind: "report" });
  });

  it.each(["github_unavailable", "github_conflict", "registry_unavailable", "github_rate_limited"])("retries %s", (code) => {
    expect(decideRetry(retryable(code), 0, () => 1)).toEqual({ kind: "retry", delayMs: FIRST_RETRY_MS, retry: 1, of: MAX_JOB_RETRIES });
  });

  it("backs off exponentially with equal jitter, capped per delay", () => {
    const longest = Array.from({ length: MAX_JOB_RETRIES }, (_, retries) => decideRetry(retryable("github_unavailable"), retries, () => 1));
    expect(longest.map((decision) => (decision.kind === "retry" ? decision.delayMs : 0))).toEqual([15_000, 30_000, 60_000, 120_000, 240_000]);
    const shortest = decideRetry(retryable("github_unavailable"), 7 - 3, () => 0);
    expect(shortest).toMatchObject({ delayMs: MAX_RETRY_MS / 2, retry: 5 });
  });
});
