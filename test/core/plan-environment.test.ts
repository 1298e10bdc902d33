import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseConfig } from "../../src/config/parse-config.js";
import { type EnvironmentPlanInput, planEnvironment, planVerifiedEnvironment } from "../../src/core/plan-environment.js";
import { parseReleaseTag } from "../../src/core/parse-tag.js";
import { selectPromotion } from "../../src/core/select-promotion.js";

const OLD = `ghcr.io/acme/core-api@sha256:${"1".repeat(64)}`;
const DIGEST = `sha256:${"2".repeat(64)}`;
const numRuns = Number(process.env.FC_NUM_RUNS ?? 300);

const config = parseConfig(`
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }
  3d: { repository: acme/3d-viewer, image: ghcr.io/acme/3d-viewer, variable: viewer_image }
environments:
  prod: { file: envs/prod.tfvars, prerelease: true }
`);

function input(tag: string, baseText: string | undefined, open?: EnvironmentPlanInput["openPullRequest"]): EnvironmentPlanInput {
  const release = parseReleaseTag(tag);
  const serviceName = release.prefix === "3d" ? "3d" : "core";
  return {
    serviceName,
    service: config.services[serviceName]!,
    release,
    environmentName: "prod",
    environment: config.environments.prod!,
    digest: DIGEST,
    baseText,
    openPullRequest: open,
    source: { repository: "acme/core-api", url: "https://github.com/acme/core-api", commit: "a".repeat(40), pusher: "octocat" },
  };
}

const outcomeOf = (plan: ReturnType<typeof planEnvironment>) =>
  plan.outcome === "refused" ? `refused:${plan.code}` : plan.outcome;

describe("planEnvironment applies the version policy to the file and the open PR", () => {
  it.each([
    ["an upgrade", `core_image = "${OLD}" # core-v0.9.0\n`, "core-v0.10.0", "change"],
    ["no marker at all: version unknown, planned", `core_image = "${OLD}"\n`, "core-v0.10.0", "change"],
    ["a downgrade", `core_image = "${OLD}" # core-v0.11.0\n`, "core-v0.10.0", "refused:version_downgrade"],
    ["a prerelease of the running version", `core_image = "${OLD}" # core-v0.10.0\n`, "core-v0.10.0-rc.1", "refused:version_downgrade"],
    ["the same version with another digest", `core_image = "${OLD}" # core-v0.10.0\n`, "core-v0.10.0", "refused:version_reused"],
    ["already at the digest", `core_image = "ghcr.io/acme/core-api@${DIGEST}" # core-v0.10.0\n`, "core-v0.10.0", "noop"],
    ["a higher version marked with build metadata", `core_image = "${OLD}" # core-v0.11.0+build.1\n`, "core-v0.10.0", "refused:trailing_comment"],
    ["another service's marker", `core_image = "${OLD}" # web-v9.0.0\n`, "core-v0.10.0", "refused:trailing_comment"],
    ["an upper-case marker", `core_image = "${OLD}" # CORE-v0.11.0\n`, "core-v0.10.0", "refused:trailing_comment"],
    ["a missing file", undefined, "core-v0.10.0", "refused:file_missing"],
  ])("%s", (_, baseText, tag, outcome) => {
    expect(outcomeOf(planEnvironment(input(tag, baseText)))).toBe(outcome);
  });

  it.each([
    ["an open PR proposing a newer version is left alone", "core-v0.12.0", "refused:version_downgrade"],
    ["an open PR proposing an older version is superseded", "core-v0.9.5", "change"],
    ["an open PR whose marker is not strict is not overwritten", "core-v0.12.0+b", "refused:trailing_comment"],
  ])("%s", (_, openMarker, outcome) => {
    const base = `core_image = "${OLD}" # core-v0.9.0\n`;
    const open = { number: 7, url: "https://github.com/acme/infra/pull/7", text: `core_image = "${OLD}" # ${openMarker}\n` };
    expect(outcomeOf(planEnvironment(input("core-v0.10.0", base, open)))).toBe(outcome);
  });

  it("promotes a service whose name starts with a digit, from the tag to the verified edit", async () => {
    const selection = selectPromotion(config, "acme/3d-viewer", "3d-v1.1.0");
    expect(selection).toMatchObject({ kind: "promote", serviceName: "3d" });
    const plan = await planVerifiedEnvironment(input("3d-v1.1.0", `viewer_image = "${OLD}" # 3d-v1.0.0\n`));
    expect(plan).toMatchObject({ outcome: "change", content: `viewer_image = "ghcr.io/acme/3d-viewer@${DIGEST}" # 3d-v1.1.0\n`, previousVersion: "1.0.0" });
  });
});

// A comment on the service's line: exactly its strict marker, near-misses of it, and anything else.
const semverPart = fc.oneof(fc.nat(30).map(String), fc.constantFrom("00", "01", "1a", ""));
const near = fc
  .record({
    lead: fc.constantFrom("#", "# ", "#  ", "//", "// ", "/* ", "##", "# v", "# release "),
    prefix: fc.constantFrom("core", "Core", "CORE", "web", "core-api", "cor", "core_", "", "3d"),
    dash: fc.constantFrom("-v", "-V", "v", "-", "_v", "-v-"),
    major: semverPart,
    minor: semverPart,
    patch: semverPart,
    pre: fc.option(fc.constantFrom("-rc.1", "-rc.01", "-", "-beta..1", "-0"), { nil: "" }),
    build: fc.option(fc.constantFrom("+build.5", "+", "+sha.abc"), { nil: "" }),
    tail: fc.option(fc.constantFrom(" hotfix", " */", ".", ",", " # core-v9.9.9", "\u00a0", "-"), { nil: "" }),
  })
  .map(({ lead, prefix, dash, major, minor, patch, pre, build, tail }) => `${lead}${prefix}${dash}${major}.${minor}.${patch}${pre}${build}${tail}`);
const anyText = fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s) && !s.includes("*/")).map((s) => `# ${s}`);
const comment = fc.oneof(near, anyText);

/** Exactly this service's marker: `#` or `//`, optional spaces, a strict tag of prefix core. */
function isExactMarker(text: string): boolean {
  const body = text.startsWith("#") ? text.slice(1) : text.startsWith("//") ? text.slice(2) : undefined;
  if (body === undefined) return false;
  try {
    return parseReleaseTag(body.trim()).prefix === "core";
  } catch {
    return false;
  }
}

describe("property: a comment that is not exactly the service's strict marker never lets a lower or unknown-relative version through", () => {
  it("plans no change for any such comment, whatever the versions", () => {
    fc.assert(
      fc.property(comment, fc.nat(5), fc.nat(5), fc.nat(5), (text, major, minor, patch) => {
        fc.pre(!isExactMarker(text));
        const base = `web_image = "w" # web-v1.0.0\ncore_image = "${OLD}" ${text}\n`;
        const plan = planEnvironment(input(`core-v${major}.${minor}.${patch}`, base));
        expect(plan.outcome).toBe("refused");
        // trailing_comment, or edit_not_isolated for an unclosed /* that swallows the rest of the file.
        expect(plan.outcome === "refused" && plan.code).toMatch(/^(trailing_comment|edit_not_isolated)$/);
      }),
      { numRuns },
    );
  });

  it("with exactly the marker, plans a change only for a higher version", () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)), fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)), fc.constantFrom("# ", "#", "// "), (running, proposed, lead) => {
        const [a, b, c] = running;
        const [x, y, z] = proposed;
        const base = `core_image = "${OLD}" ${lead}core-v${a}.${b}.${c}\n`;
        const plan = planEnvironment(input(`core-v${x}.${y}.${z}`, base));
        const higher = x !== a ? x > a : y !== b ? y > b : z > c;
        expect(plan.outcome === "change").toBe(higher);
      }),
      { numRuns },
    );
  });
});
