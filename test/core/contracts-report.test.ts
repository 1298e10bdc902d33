import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ConsumerOutcome, reportConsumers } from "../../src/core/contracts-report.js";

const PACKAGE = "@acme/contracts";

// Outcomes as release-contracts builds them, one per kind (reasons are the handler's own texts).
const pr = (repository: string, number: number, more: { breaking?: boolean; superseded?: string } = {}): ConsumerOutcome => ({
  repository,
  outcome: "pull_request",
  number,
  url: `https://github.com/${repository}/pull/${number}`,
  breaking: more.breaking ?? false,
  superseded: more.superseded,
});
const upToDate = (repository: string, version = "0.3.2"): ConsumerOutcome => ({ repository, outcome: "up_to_date", reason: `requirements.txt pins ${version}.` });
const skipped = (repository: string): ConsumerOutcome => ({ repository, outcome: "skipped", reason: "it is archived." });
const failed = (repository: string): ConsumerOutcome => ({ repository, outcome: "failed", code: "pin_not_found", reason: "requirements.txt does not exist." });

describe("reportConsumers: the conclusion and title of every mix", () => {
  // Fail closed: any failed consumer fails the check, whatever else was bumped; PRs (with
  // up-to-date or skipped consumers beside them) are a success; nothing to open is neutral.
  it.each<{ mix: string; outcomes: ConsumerOutcome[]; conclusion: string; title: string }>([
    { mix: "one PR", outcomes: [pr("acme/web", 7)], conclusion: "success", title: "@acme/contracts 0.3.2: 1 PR, 0 up to date, 0 skipped, 0 failed" },
    { mix: "two PRs", outcomes: [pr("acme/web", 7), pr("acme/api", 8)], conclusion: "success", title: "@acme/contracts 0.3.2: 2 PRs, 0 up to date, 0 skipped, 0 failed" },
    {
      mix: "a PR beside up-to-date and skipped consumers",
      outcomes: [upToDate("acme/py"), pr("acme/web", 7), skipped("acme/old")],
      conclusion: "success",
      title: "@acme/contracts 0.3.2: 1 PR, 1 up to date, 1 skipped, 0 failed",
    },
    { mix: "all up to date", outcomes: [upToDate("acme/py"), upToDate("acme/web")], conclusion: "neutral", title: "@acme/contracts 0.3.2: 0 PRs, 2 up to date, 0 skipped, 0 failed" },
    { mix: "all skipped", outcomes: [skipped("acme/old")], conclusion: "neutral", title: "@acme/contracts 0.3.2: 0 PRs, 0 up to date, 1 skipped, 0 failed" },
    { mix: "no consumers", outcomes: [], conclusion: "neutral", title: "@acme/contracts 0.3.2: 0 PRs, 0 up to date, 0 skipped, 0 failed" },
    { mix: "one failed", outcomes: [failed("acme/py")], conclusion: "failure", title: "@acme/contracts 0.3.2: 0 PRs, 0 up to date, 0 skipped, 1 failed" },
    {
      mix: "PRs and one failure",
      outcomes: [pr("acme/web", 7), failed("acme/py"), pr("acme/api", 8)],
      conclusion: "failure",
      title: "@acme/contracts 0.3.2: 2 PRs, 0 up to date, 0 skipped, 1 failed",
    },
    { mix: "up to date and one failure", outcomes: [upToDate("acme/web"), failed("acme/py")], conclusion: "failure", title: "@acme/contracts 0.3.2: 0 PRs, 1 up to date, 0 skipped, 1 failed" },
  ])("$mix → $conclusion", ({ outcomes, conclusion, title }) => {
    const report = reportConsumers(PACKAGE, "0.3.2", outcomes);
    expect({ conclusion: report.conclusion, title: report.title, detailsUrl: report.detailsUrl }).toStrictEqual({ conclusion, title, detailsUrl: undefined });
  });

  it("never reports success when a consumer failed, and lists every consumer", () => {
    const outcome = fc.oneof(fc.constant(pr("acme/web", 7)), fc.constant(upToDate("acme/py")), fc.constant(skipped("acme/old")), fc.constant(failed("acme/x")));
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 6 }), (outcomes) => {
        const report = reportConsumers(PACKAGE, "0.3.2", outcomes);
        const failures = outcomes.filter((o) => o.outcome === "failed").length;
        expect(report.conclusion).toBe(failures > 0 ? "failure" : outcomes.some((o) => o.outcome === "pull_request") ? "success" : "neutral");
        expect(report.title).toContain(`${failures} failed`);
        expect(report.summary.split("\n")).toHaveLength(outcomes.length);
      }),
    );
  });
});

describe("reportConsumers: the whole check-run text", () => {
  // Reported, not blessed: the handler's skip reasons start in lower case ("it is archived."), so
  // after "skipped. " they read as a broken sentence.
  it("every kind of consumer at once, with a breaking and a superseding PR", () => {
    expect(
      reportConsumers(PACKAGE, "0.4.0", [
        pr("acme/web", 7, { breaking: true }),
        pr("acme/api", 8, { breaking: true, superseded: "0.3.2" }),
        upToDate("acme/py", "0.4.0"),
        skipped("acme/old"),
        failed("acme/tools"),
      ]),
    ).toMatchInlineSnapshot(`
      {
        "conclusion": "failure",
        "summary": "- **acme/web**: [PR #7](https://github.com/acme/web/pull/7) bumps to 0.4.0 (breaking).
      - **acme/api**: [PR #8](https://github.com/acme/api/pull/8) bumps to 0.4.0 (breaking), superseding 0.3.2.
      - **acme/py**: up to date. requirements.txt pins 0.4.0.
      - **acme/old**: skipped. it is archived.
      - **acme/tools**: failed (\`pin_not_found\`). requirements.txt does not exist.",
        "title": "@acme/contracts 0.4.0: 2 PRs, 1 up to date, 1 skipped, 1 failed",
      }
    `);
  });

  it("one non-breaking PR", () => {
    expect(reportConsumers(PACKAGE, "0.3.2", [pr("acme/web", 7)])).toMatchInlineSnapshot(`
      {
        "conclusion": "success",
        "summary": "- **acme/web**: [PR #7](https://github.com/acme/web/pull/7) bumps to 0.3.2.",
        "title": "@acme/contracts 0.3.2: 1 PR, 0 up to date, 0 skipped, 0 failed",
      }
    `);
  });

  it("no consumers says how to add them", () => {
    expect(reportConsumers(PACKAGE, "0.3.2", [])).toMatchInlineSnapshot(`
      {
        "conclusion": "neutral",
        "summary": "No consumers: list them under contracts.consumers, or set contracts.discover: true.",
        "title": "@acme/contracts 0.3.2: 0 PRs, 0 up to date, 0 skipped, 0 failed",
      }
    `);
  });
});
