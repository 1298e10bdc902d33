import { describe, expect, it } from "vitest";
import { reportOutcomes, reportRefusal } from "../../src/core/check-report.js";
import { reportConsumers } from "../../src/core/contracts-report.js";
import { consumersFrom } from "../../src/status/read-status.js";
import { isAuthorized } from "../../src/status/authorize-status-request.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { ageSeconds, buildStatusRows, outcomeOf } from "../../src/status/build-status-rows.js";
import { escapeHtml } from "../../src/status/escape-html.js";
import { formatAge, renderStatusPage } from "../../src/status/render-status-page.js";

const completed = (text: { conclusion: string; title: string }) => ({ status: "COMPLETED", conclusion: text.conclusion, title: text.title });

describe("the last outcome, read from the titles core/check-report.ts writes", () => {
  const tag = "core-v1.2.3";
  it.each([
    ["a refusal of every environment", reportRefusal(tag, "not_on_default_branch", "…"), "prod", "failure", "not_on_default_branch"],
    ["a neutral refusal", reportRefusal(tag, "prerelease_not_allowed", "…"), "prod", "neutral", "prerelease_not_allowed"],
    ["a failure in this environment", reportOutcomes("core", tag, [{ environment: "prod", file: "p", outcome: "refused", code: "variable_missing", reason: "…" }]), "prod", "failure", "variable_missing"],
    [
      "a failure in another environment",
      reportOutcomes("core", tag, [
        { environment: "prod", file: "p", outcome: "pull_request", number: 4, url: "u", version: "1.2.3" },
        { environment: "eu", file: "e", outcome: "failed", code: "github_unavailable", reason: "…" },
      ]),
      "prod",
      "failure",
      null,
    ],
    ["a PR", reportOutcomes("core", tag, [{ environment: "prod", file: "p", outcome: "pull_request", number: 4, url: "u", version: "1.2.3" }]), "prod", "success", null],
    ["a failure in this environment", reportOutcomes("core", tag, [{ environment: "prod", file: "p", outcome: "failed", code: "github_unavailable", reason: "…" }]), "prod", "failure", "github_unavailable"],
    ["nothing to do", reportOutcomes("core", tag, [{ environment: "prod", file: "p", outcome: "noop", reason: "…" }]), "prod", "neutral", null],
  ])("%s", (_, text, environment, conclusion, code) => {
    expect(outcomeOf(tag, environment, completed(text))).toEqual({ tag, status: "completed", conclusion, code, title: text.title });
  });

  it("in progress, and no check run", () => {
    expect(outcomeOf(tag, "prod", { status: "IN_PROGRESS", conclusion: undefined, title: "waiting for the image" })).toMatchObject({ status: "in_progress", conclusion: null, code: null });
    expect(outcomeOf(tag, "prod", undefined)).toBeNull();
  });
});

describe("small parts", () => {
  it("escapes the five characters HTML gives meaning to", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    expect(escapeHtml(42)).toBe("42");
  });

  it.each([
    [0, "0 s"],
    [59, "59 s"],
    [60, "1 min"],
    [3599, "59 min"],
    [3600, "1 h"],
    [86_400 * 3 + 5, "3 d"],
  ])("formats an age of %i s as %s", (seconds, text) => expect(formatAge(seconds)).toBe(text));

  it("ages from createdAt, never negative, null without a date", () => {
    expect(ageSeconds("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:01:30.900Z"))).toBe(90);
    expect(ageSeconds("2026-01-01T00:00:10Z", Date.parse("2026-01-01T00:00:00Z"))).toBe(0);
    expect(ageSeconds(null, 0)).toBeNull();
  });

  const request = (authorization?: string) => authorization;
  const url = (query = "") => new URL(`http://x/status${query}`);
  it.each([
    ["the bearer", request("Bearer s3cret"), url(), true],
    ["the bearer, any case of the scheme", request("bearer s3cret"), url(), true],
    ["the query", request(), url("?token=s3cret"), true],
    ["a wrong query beside the right bearer", request("Bearer s3cret"), url("?token=nope"), true],
    ["nothing", request(), url(), false],
    ["a prefix", request("Bearer s3cre"), url(), false],
    ["a longer token", request("Bearer s3cret2"), url(), false],
    ["Basic", request("Basic s3cret"), url(), false],
    ["an empty query", request(), url("?token="), false],
  ])("%s", (_, req, u, expected) => expect(isAuthorized(req, u, "s3cret")).toBe(expected));
});

describe("a rollback's hold on the status page", () => {
  it("shows who holds the environment and what it keeps out, and says the sweep leaves it", () => {
    const config = parseConfig("services:\n  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }\nenvironments:\n  prod: { file: envs/prod.tfvars }\n");
    const commit = "a".repeat(40);
    const digest = `sha256:${"b".repeat(64)}`;
    const record = (tag: string, rollback?: { from: string }) => ({ kind: "record" as const, record: { environment: "prod", service: "core", repository: "acme/core-api", tag, commit, digest, ...(rollback === undefined ? {} : { rollback }) } });
    const rows = buildStatusRows({
      config,
      files: ["envs/prod.tfvars"],
      state: {
        services: [{ nameWithOwner: "acme/core-api", tags: [{ name: "core-v0.10.0", commit }, { name: "core-v0.9.5", commit }], head: commit }],
        files: [`core_image = "ghcr.io/acme/core-api@${digest}" # core-v0.9.5\n`],
        pullRequests: [
          [
            { number: 3, url: "https://github.com/acme/infra/pull/3", state: "MERGED", mergedAt: "2026-12-04T10:00:00Z", record: record("core-v0.9.5", { from: "0.10.0" }) },
            { number: 1, url: "https://github.com/acme/infra/pull/1", state: "MERGED", mergedAt: "2026-12-01T10:00:00Z", record: record("core-v0.10.0") },
          ],
        ],
      },
    });
    expect(rows[0]).toMatchObject({
      hold: { number: 3, url: "https://github.com/acme/infra/pull/3", version: "0.9.5", through: "0.10.0" },
      state: { kind: "converged", reason: "held at v0.9.5 by the rollback of PR #3" },
    });
    expect(renderStatusPage({ generatedAt: "2026-12-04T12:00:00Z", ageSeconds: 0, cacheSeconds: 30, error: null, installations: [{ installationId: 1, account: "acme", infraRepository: "acme/infra", error: null, rows, contracts: null }] })).toContain(
      'held at v0.9.5 by <a href="https://github.com/acme/infra/pull/3">#3</a> (keeps out up to v0.10.0)',
    );
  });
});

describe("contracts releases on the status page", () => {
  it("reads each consumer's state from the check run core/contracts-report.ts writes, and renders them escaped", () => {
    const report = reportConsumers("@acme/contracts", "0.3.2", [
      { repository: "acme/billing-api", outcome: "pull_request", number: 4, url: "https://github.com/acme/billing-api/pull/4", breaking: false },
      { repository: "acme/checkout-web", outcome: "up_to_date", reason: "it already locks 0.3.2." },
      { repository: "acme/<odd>", outcome: "failed", code: "npm_failed", reason: "npm exited 1." },
    ]);
    const consumers = consumersFrom(report.summary);
    expect(consumers).toEqual([
      { repository: "acme/billing-api", state: "PR #4 bumps to 0.3.2." },
      { repository: "acme/checkout-web", state: "up to date. it already locks 0.3.2." },
      { repository: "acme/<odd>", state: "failed (npm_failed). npm exited 1." },
    ]);
    const html = renderStatusPage({
      generatedAt: "2026-12-04T12:00:00Z",
      ageSeconds: 0,
      cacheSeconds: 30,
      error: null,
      installations: [
        {
          installationId: 1,
          account: "acme",
          infraRepository: "acme/infra",
          error: null,
          rows: [],
          contracts: { package: "@acme/contracts", repository: "acme/contracts", releases: [{ tag: "contracts-v0.3.2", version: "0.3.2", outcome: { status: "completed", conclusion: report.conclusion, title: report.title }, consumers }] },
        },
      ],
    });
    expect(html).toContain("<caption>Contracts releases of @acme/contracts (acme/contracts), newest first</caption>");
    expect(html).toContain("<li><strong>acme/billing-api</strong>: PR #4 bumps to 0.3.2.</li>");
    expect(html).toContain("<li><strong>acme/&lt;odd&gt;</strong>: failed (npm_failed). npm exited 1.</li>");
    expect(html).not.toContain("<odd>");
  });
});
