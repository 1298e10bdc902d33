import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { planVerifiedCommitEnvironment, readRunningMarker } from "../../src/core/plan-commit-environment.js";
import { planEnvironment } from "../../src/core/plan-environment.js";
import { parseReleaseTag } from "../../src/core/parse-tag.js";
import { readPromotionRecord } from "../../src/core/promotion-record.js";
import type { Ancestry } from "../../src/github/read-main-context.js";

const config = parseConfig(
  `services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image, targets: { helm: { path: core.image.digest } } }
environments:
  staging: { file: envs/staging.tfvars, on: main }
  eu: { file: values-eu.yaml, kind: helm, on: main }
  prod: { file: envs/prod.tfvars }
`,
  "test",
);
const HEAD = "89abcdef0123".padEnd(40, "4");
const RUNNING = "0123456789ab".padEnd(40, "5");
const DIGEST = `sha256:${"ab12".repeat(16)}`;
const OLD = `sha256:${"1".repeat(64)}`;
const tfvars = (digest: string, marker?: string) => `region = "eu"\ncore_image = "ghcr.io/acme/core-api@${digest}"${marker === undefined ? "" : ` # ${marker}`}\n`;

const plan = (baseText: string, ancestry: Ancestry | undefined, more: { env?: "staging" | "eu"; open?: string } = {}) => {
  const env = more.env ?? "staging";
  return planVerifiedCommitEnvironment({
    serviceName: "core",
    service: config.services.core!,
    environmentName: env,
    environment: config.environments[env]!,
    commit: HEAD,
    digest: DIGEST,
    baseText,
    openPullRequest: more.open === undefined ? undefined : { number: 4, url: "https://github.com/acme/infra/pull/4", text: more.open, record: { kind: "none" } },
    source: { repository: "acme/core-api", url: "https://github.com/acme/core-api", defaultBranch: "main", pusher: "octocat" },
    ancestry,
  });
};

describe("planCommitEnvironment: an on: main environment at the head of main", () => {
  it("a head that descends from the running commit: one line, marked with the head, and a record of trigger main", async () => {
    const result = await plan(tfvars(OLD, "core@0123456789ab"), "ahead");
    expect(result).toMatchObject({ outcome: "change", title: "Promote core 89abcdef0123 to staging", branch: "release-promoter/staging/core" });
    if (result.outcome !== "change") throw new Error("unreachable");
    expect(result.content).toBe(tfvars(DIGEST, "core@89abcdef0123"));
    const record = readPromotionRecord(result.body);
    expect(record).toEqual({ kind: "record", record: { environment: "staging", service: "core", repository: "acme/core-api", trigger: "main", commit: HEAD, digest: DIGEST, pusher: "octocat" } });
    expect(result.body).toContain("[core@0123456789ab...89abcdef0123](https://github.com/acme/core-api/compare/0123456789ab...");
  });

  it("reads what runs: a commit prefix, or a release tag (both revisions GitHub compares), or none", () => {
    const read = (text: string) => readRunningMarker({ serviceName: "core", service: config.services.core!, environment: config.environments.staging!, baseText: text })?.revision;
    expect(read(tfvars(OLD, "core@0123456789ab"))).toBe("0123456789ab");
    expect(read(tfvars(OLD, "core-v1.2.0"))).toBe("core-v1.2.0");
    expect(read(tfvars(OLD))).toBeUndefined();
  });

  it.each<[string, Ancestry, string]>([
    ["an older commit", "behind", "which is newer than 89abcdef0123, the head of main"],
    ["a force-pushed main", "diverged", "does not descend from core@0123456789ab, which staging runs (was main force-pushed?)"],
    ["a commit GitHub no longer knows", "missing", "which acme/core-api does not know"],
    ["a marker GitHub resolves to another commit", "ambiguous", "but GitHub resolves that name to another commit"],
  ])("refuses %s: commit_not_descendant", async (_, ancestry, reason) => {
    const result = await plan(tfvars(OLD, "core@0123456789ab"), ancestry);
    expect(result).toMatchObject({ outcome: "refused", code: "commit_not_descendant" });
    expect(result.outcome === "refused" && result.reason).toContain(reason);
  });

  it("the same commit with another digest is version_reused (identical); the same digest is nothing to do before any ancestry", async () => {
    expect(await plan(tfvars(OLD, "core@89abcdef0123"), "identical")).toMatchObject({ outcome: "refused", code: "version_reused" });
    expect(await plan(tfvars(DIGEST, "core@89abcdef0123"), "identical")).toMatchObject({ outcome: "noop" });
  });

  it("no marker: planned (the reviewer sees the old value), as for tags", async () => {
    expect(await plan(tfvars(OLD), undefined)).toMatchObject({ outcome: "change" });
  });

  it("an open PR holding this very edit is nothing to do; one on an older base or commit is rebuilt, saying what it superseded", async () => {
    const base = tfvars(OLD, "core@0123456789ab");
    expect(await plan(base, "ahead", { open: tfvars(DIGEST, "core@89abcdef0123") })).toMatchObject({ outcome: "noop", pullRequest: { number: 4 } });
    const rebuilt = await plan(base, "ahead", { open: `# moved\n${tfvars(DIGEST, "core@89abcdef0123")}` });
    expect(rebuilt).toMatchObject({ outcome: "change", supersededVersion: undefined });
    const superseding = await plan(base, "ahead", { open: tfvars(`sha256:${"cd".repeat(32)}`, "core@fedcba987654") });
    expect(superseding).toMatchObject({ outcome: "change", supersededVersion: "core@fedcba987654" });
    expect(superseding.outcome === "change" && superseding.body).toContain("89abcdef0123 supersedes `core@fedcba987654`");
  });

  it("works for the YAML kinds too: a Helm values file gets the digest and the commit marker", async () => {
    const values = `core:\n  image:\n    digest: "${OLD}" # core@0123456789ab\n`;
    const result = await plan(values, "ahead", { env: "eu" });
    expect(result.outcome === "change" && result.content).toBe(`core:\n  image:\n    digest: "${DIGEST}" # core@89abcdef0123\n`);
  });
});

describe("a tag over a commit marker", () => {
  it("is version_unknown: which is newer cannot be told (fail closed)", () => {
    const result = planEnvironment({
      serviceName: "core",
      service: config.services.core!,
      release: parseReleaseTag("core-v1.2.0"),
      environmentName: "prod",
      environment: config.environments.prod!,
      digest: DIGEST,
      baseText: tfvars(OLD, "core@0123456789ab"),
      source: { repository: "acme/core-api", url: "https://github.com/acme/core-api", commit: HEAD },
    });
    expect(result).toMatchObject({ outcome: "refused", code: "version_unknown" });
  });
});
