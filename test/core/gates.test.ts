import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { evaluateGates, type RequiredEnvironmentState } from "../../src/core/gates.js";
import { promotionRecordComment, readPromotionRecord } from "../../src/core/promotion-record.js";

const config = parseConfig(
  `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image } }
environments:
  staging: { file: envs/staging.tfvars, on: main }
  prod: { file: envs/prod.tfvars, requires: { environment: staging, soakMinutes: 30 } }
  windowed: { file: envs/w.tfvars, requires: { environment: staging, soakMinutes: 30 }, windows: [{ days: [mon, tue, wed, thu], from: "09:00", to: "16:00", timeZone: Europe/Berlin }] }
`,
  "test",
);
const D1 = `sha256:${"ab12".repeat(16)}`;
const D2 = `sha256:${"cd34".repeat(16)}`;
const now = new Date("2026-12-07T10:00:00Z"); // a Monday, 11:00 in Berlin

const record = (digest: string) =>
  readPromotionRecord(promotionRecordComment({ environment: "staging", service: "core", repository: "acme/core-api", commit: "a".repeat(40), digest, trigger: "main" }));
const merged = (number: number, minutesAgo: number, digest: string | undefined) => ({
  number,
  url: `https://github.com/acme/infra/pull/${number}`,
  mergedAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString() as string | undefined,
  digestAtMerge: digest,
});
/** Staging's state; its file pins what the newest merge left there unless `runningDigest` says otherwise. */
const staging = (merges: RequiredEnvironmentState["merges"], more: Partial<RequiredEnvironmentState> = {}): RequiredEnvironmentState => ({
  environmentName: "staging",
  merges,
  openPullRequest: undefined,
  runningDigest: [...merges].sort((a, b) => Date.parse(b.mergedAt ?? "") - Date.parse(a.mergedAt ?? ""))[0]?.digestAtMerge,
  ...more,
});
const gates = (environment: "prod" | "windowed", required: RequiredEnvironmentState, at = now) => evaluateGates({ environment: config.environments[environment]!, digest: D1, now: at, required });

describe("gates: requires (soak in another environment)", () => {
  it("passes for a digest merged into staging 40 minutes ago, still running", () => {
    const verdict = gates("prod", staging([merged(7, 40, D1)]));
    expect(verdict).toMatchObject({ state: "pass", title: "Gates passed: `sha256:ab12…` has run in staging for 40 minutes (30 minutes required)", recheckAt: undefined });
  });

  it("waits for a digest merged 10 minutes ago, and says when it passes", () => {
    const verdict = gates("prod", staging([merged(7, 10, D1)]));
    expect(verdict.state).toBe("wait");
    expect(verdict.title).toBe("`sha256:ab12…` has run in staging for 10 of 30 minutes (since PR #7 was merged)");
    expect(verdict.recheckAt?.toISOString()).toBe("2026-12-07T10:20:00.000Z");
    // At that time, the same state passes.
    expect(gates("prod", staging([merged(7, 10, D1)]), verdict.recheckAt).state).toBe("pass");
  });

  it("fails for a digest that never reached staging, naming what staging's open PR promotes", () => {
    const open = { number: 9, url: "https://github.com/acme/infra/pull/9", record: record(D2) };
    const verdict = gates("prod", staging([merged(7, 90, D2)], { openPullRequest: open }));
    expect(verdict.state).toBe("fail");
    expect(verdict.title).toMatch(/^`sha256:ab12…` never reached staging \(not among its last merged promotion PRs; PR #9 promotes another digest there\)/);
    expect(verdict.summary).toContain("[PR #9](https://github.com/acme/infra/pull/9)");
    expect(verdict.recheckAt).toBeUndefined();
  });

  it("waits while staging's open PR promotes the digest", () => {
    const open = { number: 9, url: "https://github.com/acme/infra/pull/9", record: record(D1) };
    expect(gates("prod", staging([], { openPullRequest: open }))).toMatchObject({ state: "wait", title: "`sha256:ab12…` has not reached staging yet: its promotion PR #9 is open" });
  });

  it("fails when the digest was replaced in staging before the soak ended", () => {
    const verdict = gates("prod", staging([merged(7, 60, D1), merged(8, 50, D2)]));
    expect(verdict).toMatchObject({ state: "fail", title: "`sha256:ab12…` ran in staging for only 10 of 30 minutes before another digest replaced it" });
  });

  it("passes when it soaked long enough before being replaced", () => {
    expect(gates("prod", staging([merged(8, 20, D2), merged(7, 90, D1)])).state).toBe("pass");
  });

  it("fails closed on an undated merge, or a merge commit whose file cannot be read", () => {
    expect(gates("prod", staging([{ ...merged(7, 40, D1), mergedAt: undefined }])).title).toBe("the app cannot tell when PR #7 of staging was merged");
    expect(gates("prod", staging([merged(7, 40, D1), merged(6, 50, undefined)])).title).toBe("the app cannot read which digest staging ran after PR #6 was merged");
  });

  it("a digest staging no longer runs, with no merge to say when it left (a hand edit of the file), fails closed", () => {
    const verdict = gates("prod", staging([merged(7, 40, D1)], { runningDigest: D2 }));
    expect(verdict).toMatchObject({ state: "fail", title: "`sha256:ab12…` no longer runs in staging: its file was changed outside the app's promotion PRs, so the app cannot tell for how long it ran" });
    expect(gates("prod", staging([merged(7, 40, D1)], { runningDigest: undefined })).state).toBe("fail");
  });

  it("counts what each merge commit left in the file, whoever opened the PR: a merge that brought another digest ends the stretch", () => {
    // PR #8 (say, a person's PR on staging's branch) left D2 there 25 minutes after D1 arrived.
    expect(gates("prod", staging([merged(7, 40, D1), merged(8, 15, D2)])).title).toBe("`sha256:ab12…` ran in staging for only 25 of 30 minutes before another digest replaced it");
  });

  it("fails closed for a digest that runs in staging without a merge to date it", () => {
    expect(gates("prod", staging([], { runningDigest: D1 })).title).toMatch(/runs in staging, but not through a promotion PR .* the soak of 30 minutes cannot be proven/);
  });
});

describe("gates: windows with requires", () => {
  it("passes inside the window and asks to be re-checked when it closes", () => {
    const verdict = gates("windowed", staging([merged(7, 40, D1)]));
    expect(verdict.state).toBe("pass");
    expect(verdict.recheckAt?.toISOString()).toBe("2026-12-07T15:00:00.000Z");
  });

  it("waits outside the window even when the soak is done, until it opens", () => {
    const saturday = new Date("2026-12-05T10:00:00Z");
    const verdict = evaluateGates({ environment: config.environments.windowed!, digest: D1, now: saturday, required: staging([{ ...merged(7, 0, D1), mergedAt: "2026-12-04T10:00:00Z" }]) });
    expect(verdict).toMatchObject({ state: "wait", title: "outside the merge window, next opens Mon 09:00 Europe/Berlin" });
    expect(verdict.recheckAt?.toISOString()).toBe("2026-12-07T08:00:00.000Z");
  });

  it("a failure wins over a wait, and is not re-checked by the clock", () => {
    const saturday = new Date("2026-12-05T10:00:00Z");
    const verdict = evaluateGates({ environment: config.environments.windowed!, digest: D1, now: saturday, required: staging([]) });
    expect(verdict.state).toBe("fail");
    expect(verdict.recheckAt).toBeUndefined();
    expect(verdict.summary.split("\n")).toEqual([expect.stringMatching(/^- failed: /), "- waiting: outside the merge window, next opens Mon 09:00 Europe/Berlin"]);
  });
});
