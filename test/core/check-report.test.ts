import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EnvironmentOutcome, reportOutcomes, reportRefusal } from "../../src/core/check-report.js";
import { selectPromotion } from "../../src/core/select-promotion.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { PromoterError } from "../../src/errors.js";

const TAG = "core-v0.10.0";
const URL = "https://github.com/acme/infra/pull";

// Outcomes as on-tag-push builds them, one per kind.
const pr = (environment: string, number: number, superseded?: string): EnvironmentOutcome => ({
  environment,
  file: `envs/${environment}.tfvars`,
  outcome: "pull_request",
  number,
  url: `${URL}/${number}`,
  version: "0.10.0",
  superseded,
});
const noop = (environment: string): EnvironmentOutcome => ({
  environment,
  file: `envs/${environment}.tfvars`,
  outcome: "noop",
  reason: `envs/${environment}.tfvars already runs core at sha256:${"ab".repeat(32)} (v0.10.0).`,
});
const refused = (environment: string, code = "version_downgrade"): EnvironmentOutcome => ({
  environment,
  file: `envs/${environment}.tfvars`,
  outcome: "refused",
  code,
  reason: `${environment} runs core v0.11.0, newer than v0.10.0; the app does not roll back. To roll back, edit envs/${environment}.tfvars by hand in a reviewed PR.`,
});
const failed = (environment: string, code: string): EnvironmentOutcome => ({
  environment,
  file: `envs/${environment}.tfvars`,
  outcome: "failed",
  code,
  reason: code === "github_unavailable" ? "GitHub answered 502 while creating the branch; try again later." : "The app may not write to acme/infra; grant it contents: write.",
});

describe("reportOutcomes: the conclusion and title of every mix", () => {
  // Fail closed: any refused or failed environment makes the whole check fail, whatever else
  // succeeded; only PRs (possibly with no-ops) are a success; only no-ops are neutral.
  it.each<{ mix: string; outcomes: EnvironmentOutcome[]; conclusion: string; title: string; detailsUrl?: string }>([
    { mix: "one PR", outcomes: [pr("prod", 12)], conclusion: "success", title: "core core-v0.10.0: PR #12 (prod)", detailsUrl: `${URL}/12` },
    {
      mix: "two PRs",
      outcomes: [pr("staging", 11), pr("prod", 12)],
      conclusion: "success",
      title: "core core-v0.10.0: PR #11 (staging), PR #12 (prod)",
      detailsUrl: `${URL}/11`,
    },
    { mix: "a no-op, then a PR", outcomes: [noop("staging"), pr("prod", 12)], conclusion: "success", title: "core core-v0.10.0: PR #12 (prod)", detailsUrl: `${URL}/12` },
    { mix: "all no-ops", outcomes: [noop("staging"), noop("prod")], conclusion: "neutral", title: "core-v0.10.0: nothing to do" },
    { mix: "no environments at all", outcomes: [], conclusion: "neutral", title: "core-v0.10.0: nothing to do" },
    { mix: "one refused", outcomes: [refused("prod")], conclusion: "failure", title: "core-v0.10.0 not promoted to prod: version_downgrade" },
    { mix: "a PR and a refusal", outcomes: [pr("staging", 11), refused("prod")], conclusion: "failure", title: "core-v0.10.0 not promoted to prod: version_downgrade" },
    { mix: "a refusal and a PR", outcomes: [refused("staging"), pr("prod", 12)], conclusion: "failure", title: "core-v0.10.0 not promoted to staging: version_downgrade" },
    { mix: "a no-op and a refusal", outcomes: [noop("staging"), refused("prod")], conclusion: "failure", title: "core-v0.10.0 not promoted to prod: version_downgrade" },
    {
      mix: "a PR and a retryable failure",
      outcomes: [pr("staging", 11), failed("prod", "github_unavailable")],
      conclusion: "failure",
      title: "core-v0.10.0 not promoted to prod: github_unavailable",
    },
    { mix: "a failure that retrying cannot fix", outcomes: [failed("prod", "github_forbidden")], conclusion: "failure", title: "core-v0.10.0 not promoted to prod: github_forbidden" },
    {
      mix: "a refusal and a failure: both named, the first one's code",
      outcomes: [refused("staging", "variable_missing"), failed("prod", "github_forbidden")],
      conclusion: "failure",
      title: "core-v0.10.0 not promoted to staging, prod: variable_missing",
    },
  ])("$mix → $conclusion", ({ outcomes, conclusion, title, detailsUrl }) => {
    const report = reportOutcomes("core", TAG, outcomes);
    expect({ conclusion: report.conclusion, title: report.title, detailsUrl: report.detailsUrl }).toStrictEqual({ conclusion, title, detailsUrl });
  });

  it("never reports success, nor omits an environment, when any environment was refused or failed", () => {
    const outcome = fc.oneof(
      fc.constant(pr("a", 1)),
      fc.constant(noop("b")),
      fc.constant(refused("c")),
      fc.constant(failed("d", "github_unavailable")),
      fc.constant(failed("e", "github_forbidden")),
    );
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 6 }), (outcomes) => {
        const report = reportOutcomes("core", TAG, outcomes);
        const bad = outcomes.filter((o) => o.outcome === "refused" || o.outcome === "failed");
        expect(report.conclusion).toBe(bad.length > 0 ? "failure" : outcomes.some((o) => o.outcome === "pull_request") ? "success" : "neutral");
        expect(report.summary.split("\n").filter(Boolean)).toHaveLength(outcomes.length);
      }),
    );
  });
});

describe("reportOutcomes: the whole check-run text", () => {
  it("one PR that superseded an older proposal", () => {
    expect(reportOutcomes("core", TAG, [pr("prod", 12, "v0.9.5")])).toMatchInlineSnapshot(`
      {
        "conclusion": "success",
        "detailsUrl": "https://github.com/acme/infra/pull/12",
        "summary": "- **prod** (\`envs/prod.tfvars\`): [PR #12](https://github.com/acme/infra/pull/12) promotes core-v0.10.0 (it superseded v0.9.5).",
        "title": "core core-v0.10.0: PR #12 (prod)",
      }
    `);
  });

  it("every kind of outcome at once", () => {
    expect(
      reportOutcomes("core", TAG, [pr("staging", 11), noop("qa"), refused("prod"), failed("dr", "github_unavailable")]),
    ).toMatchInlineSnapshot(`
      {
        "conclusion": "failure",
        "summary": "- **staging** (\`envs/staging.tfvars\`): [PR #11](https://github.com/acme/infra/pull/11) promotes core-v0.10.0.
      - **qa** (\`envs/qa.tfvars\`): nothing to do. envs/qa.tfvars already runs core at sha256:abababababababababababababababababababababababababababababababab (v0.10.0).
      - **prod** (\`envs/prod.tfvars\`): refused (\`version_downgrade\`). prod runs core v0.11.0, newer than v0.10.0; the app does not roll back. To roll back, edit envs/prod.tfvars by hand in a reviewed PR.
      - **dr** (\`envs/dr.tfvars\`): failed (\`github_unavailable\`). GitHub answered 502 while creating the branch; try again later.",
        "title": "core-v0.10.0 not promoted to prod, dr: version_downgrade",
      }
    `);
  });

  it("nothing to do", () => {
    expect(reportOutcomes("core", TAG, [noop("staging"), noop("prod")])).toMatchInlineSnapshot(`
      {
        "conclusion": "neutral",
        "summary": "- **staging** (\`envs/staging.tfvars\`): nothing to do. envs/staging.tfvars already runs core at sha256:abababababababababababababababababababababababababababababababab (v0.10.0).
      - **prod** (\`envs/prod.tfvars\`): nothing to do. envs/prod.tfvars already runs core at sha256:abababababababababababababababababababababababababababababababab (v0.10.0).",
        "title": "core-v0.10.0: nothing to do",
      }
    `);
  });
});

describe("reportRefusal: a refusal of the whole tag", () => {
  // Policy refusals (the pusher did nothing wrong) are neutral; every other code fails the check,
  // including codes the report does not know.
  it.each([
    ["prerelease_not_allowed", "neutral"],
    ["no_environment", "neutral"],
    ["invalid_tag", "failure"],
    ["unknown_prefix", "failure"],
    ["wrong_repository", "failure"],
    ["not_on_default_branch", "failure"],
    ["config_invalid", "failure"],
    ["image_not_found", "failure"],
    ["registry_unavailable", "failure"],
    ["internal_error", "failure"],
    ["a_code_added_later", "failure"],
  ])("%s → %s", (code, conclusion) => {
    expect(reportRefusal(TAG, code, "why")).toStrictEqual({ conclusion, title: `${TAG} not promoted: ${code}`, summary: "why" });
  });

  const config = parseConfig(`
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }
environments:
  prod: { file: envs/prod.tfvars }
`);
  const refusalOf = (tag: string): PromoterError => {
    try {
      selectPromotion(config, "acme/core-api", tag);
    } catch (error) {
      if (error instanceof PromoterError) return error;
      throw error;
    }
    throw new Error(`${tag} was not refused`);
  };

  it("a prerelease no environment takes (the real message)", () => {
    const error = refusalOf("core-v1.0.0-rc.1");
    expect(reportRefusal("core-v1.0.0-rc.1", error.code, error.message)).toMatchInlineSnapshot(`
      {
        "conclusion": "neutral",
        "summary": "core-v1.0.0-rc.1 is a prerelease and no environment of core (prod) allows prereleases (set prerelease: true on an environment to promote them there).",
        "title": "core-v1.0.0-rc.1 not promoted: prerelease_not_allowed",
      }
    `);
  });

  // Reported, not blessed: the summary is markdown, and neither the tag (untrusted) nor the
  // message is escaped, so "<prefix>", "<major>"... read as HTML tags and vanish on GitHub, and
  // markup in a tag name (git allows <, >, @, backticks) reaches the check run as markup.
  it("a malformed tag (the real message; current text, see the note above)", () => {
    const error = refusalOf("core-v1.2");
    expect(reportRefusal("core-v1.2", error.code, error.message)).toMatchInlineSnapshot(`
      {
        "conclusion": "failure",
        "summary": "Tag "core-v1.2" is refused: it is not <prefix>-v<major>.<minor>.<patch>[-<prerelease>] with a lowercase prefix. acme/core-api promotes with tags like core-vX.Y.Z.",
        "title": "core-v1.2 not promoted: invalid_tag",
      }
    `);
  });

  it("an untrusted tag with markup in it (current text, see the note above)", () => {
    const tag = "core-v1.0.0<h1>@acme/all</h1>";
    const error = refusalOf(tag);
    expect(reportRefusal(tag, error.code, error.message)).toMatchInlineSnapshot(`
      {
        "conclusion": "failure",
        "summary": "Tag "core-v1.0.0<h1>@acme/all</h1>" is refused: it is not <prefix>-v<major>.<minor>.<patch>[-<prerelease>] with a lowercase prefix. acme/core-api promotes with tags like core-vX.Y.Z.",
        "title": "core-v1.0.0<h1>@acme/all</h1> not promoted: invalid_tag",
      }
    `);
  });

  it("an unexpected crash (the handler's message)", () => {
    expect(reportRefusal(TAG, "internal_error", "The app failed unexpectedly; its logs have the details. Nothing was changed.")).toMatchInlineSnapshot(`
      {
        "conclusion": "failure",
        "summary": "The app failed unexpectedly; its logs have the details. Nothing was changed.",
        "title": "core-v0.10.0 not promoted: internal_error",
      }
    `);
  });
});
