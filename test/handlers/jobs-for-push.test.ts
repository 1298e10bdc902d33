/**
 * A push is only "look at this again": jobsForPush maps the payload to jobs (plain data) without
 * reading GitHub. Every case here is a payload GitHub really sends (the recorded tag push,
 * changed where a real one differs).
 */
import { describe, expect, it } from "vitest";
import { jobsForPush } from "../../src/handlers/on-push.js";
import type { PromoterDependencies } from "../../src/dependencies.js";
import { pushPayload } from "../helpers/promotion-mocks.js";
import { ConfigCache } from "../../src/config/config-cache.js";
import { parseConfig } from "../../src/config/parse-config.js";

type Payload = Parameters<typeof jobsForPush>[1];
const deps = { env: {} } as PromoterDependencies;
const ZERO = "0".repeat(40);
const A = "a".repeat(40);
const B = "b".repeat(40);

function payload(change: (p: Record<string, any>) => void = () => {}): Payload {
  const p = pushPayload() as Record<string, any>;
  change(p);
  return p as unknown as Payload;
}
function infraPush(change: (p: Record<string, any>) => void = () => {}): Payload {
  return payload((p) => {
    p.repository.full_name = "acme/infra";
    p.repository.name = "infra";
    p.repository.default_branch = "main";
    p.ref = "refs/heads/main";
    p.created = false;
    p.before = A;
    p.after = B;
    p.head_commit = { id: B };
    p.commits = [{ id: B, added: [], removed: [], modified: ["envs/prod.tfvars"] }];
    change(p);
  });
}

describe("jobsForPush", () => {
  it("a new tag → one promotion of it, with the pushed commit and the pusher", () => {
    const jobs = jobsForPush(deps, payload());
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: "promote-tag", installationId: expect.any(Number), repository: "acme/core-api", tag: "core-v0.10.0", trigger: "push" });
  });

  it("a deleted tag → tag-changed (deleted)", () => {
    expect(jobsForPush(deps, payload((p) => Object.assign(p, { deleted: true, created: false, after: ZERO, head_commit: null })))).toEqual([
      expect.objectContaining({ kind: "tag-changed", tag: "core-v0.10.0", change: "deleted" }),
    ]);
  });

  it("a tag pushed again at another commit (forced) → tag-changed (moved) with the new commit, never a promotion", () => {
    const jobs = jobsForPush(deps, payload((p) => Object.assign(p, { created: false, forced: true, before: A, after: B, head_commit: { id: B } })));
    expect(jobs).toEqual([expect.objectContaining({ kind: "tag-changed", change: "moved", commit: B })]);
  });

  it("infra's default branch moved → refresh the open promotion PRs; the config is checked only if a commit touched it", () => {
    expect(jobsForPush(deps, infraPush()).map((job) => job.kind)).toEqual(["refresh-promotions"]);
    const touched = jobsForPush(deps, infraPush((p) => (p.commits[0].modified = [".github/release-promoter.yml"])));
    expect(touched).toEqual([expect.objectContaining({ kind: "refresh-promotions", infra: "acme/infra" }), expect.objectContaining({ kind: "check-config", repository: "acme/infra", sha: B })]);
  });

  it("checks the config when GitHub's commit list cannot say (a forced push, 20 commits or more)", () => {
    expect(jobsForPush(deps, infraPush((p) => (p.forced = true))).map((job) => job.kind)).toEqual(["refresh-promotions", "check-config"]);
    const many = Array.from({ length: 20 }, (_, i) => ({ id: String(i).padStart(40, "0"), added: [], removed: [], modified: [] }));
    expect(jobsForPush(deps, infraPush((p) => (p.commits = many))).map((job) => job.kind)).toEqual(["refresh-promotions", "check-config"]);
  });

  it("a config PR's branch in infra → only the config check (its check run is what the reviewer sees)", () => {
    const jobs = jobsForPush(deps, infraPush((p) => Object.assign(p, { ref: "refs/heads/update-config", commits: [{ id: B, added: [".github/release-promoter.yml"], removed: [], modified: [] }] })));
    expect(jobs.map((job) => job.kind)).toEqual(["check-config"]);
  });

  it("a push to a service repository's default branch → promote its head (on: main), unless the config this app last saw has no on: main environment", () => {
    const main = payload((p) => Object.assign(p, { ref: "refs/heads/main", after: B }));
    expect(jobsForPush(deps, main)).toEqual([expect.objectContaining({ kind: "promote-main", repository: "acme/core-api", trigger: "push", headCommit: B })]);
    const cache = new ConfigCache();
    const withCache = { env: {}, configCache: cache } as unknown as PromoterDependencies;
    const service = "{ repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }";
    cache.set(main.installation!.id, "acme/infra", { oid: "1", defaultBranch: "main", config: parseConfig(`services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars } }`, "t") });
    expect(jobsForPush(withCache, main)).toEqual([]);
    cache.set(main.installation!.id, "acme/infra", { oid: "2", defaultBranch: "main", config: parseConfig(`services: { core: ${service} }\nenvironments: { staging: { file: s.tfvars, on: main } }`, "t") });
    expect(jobsForPush(withCache, main).map((job) => job.kind)).toEqual(["promote-main"]);
    // Another branch of the service, or a config that has no service in that repository: nothing.
    expect(jobsForPush(withCache, payload((p) => (p.ref = "refs/heads/feature")))).toEqual([]);
    expect(jobsForPush(withCache, payload((p) => Object.assign(p, { ref: "refs/heads/main", repository: { ...p.repository, full_name: "acme/web-ui" } })))).toEqual([]);
    // With several replicas (REDIS_URL) another replica may have seen a newer config: never skipped on the cache.
    const replicated = { env: { REDIS_URL: "redis://127.0.0.1:6379" }, configCache: cache } as unknown as PromoterDependencies;
    cache.set(main.installation!.id, "acme/infra", { oid: "1", defaultBranch: "main", config: parseConfig(`services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars } }`, "t") });
    expect(jobsForPush(withCache, main)).toEqual([]);
    expect(jobsForPush(replicated, main).map((job) => job.kind)).toEqual(["promote-main"]);
    // A push to infra's main that may change the config forgets the cached one.
    jobsForPush(withCache, infraPush((p) => (p.commits[0].modified = [".github/release-promoter.yml"])));
    expect(cache.get(main.installation!.id, "acme/infra")).toBeUndefined();
  });

  it("ignores branch pushes of other repositories, deleted branches, and deliveries without an installation", () => {
    expect(jobsForPush(deps, payload((p) => (p.ref = "refs/heads/feature")))).toEqual([]);
    expect(jobsForPush(deps, infraPush((p) => Object.assign(p, { deleted: true, after: ZERO })))).toEqual([]);
    expect(jobsForPush(deps, payload((p) => delete p.installation))).toEqual([]);
  });

  it("names the infra repository by INFRA_REPOSITORY when it is set", () => {
    const other = { env: { INFRA_REPOSITORY: "acme/platform" } } as unknown as PromoterDependencies;
    // acme/infra is then just another repository: its main may hold a service.
    expect(jobsForPush(other, infraPush()).map((job) => job.kind)).toEqual(["promote-main"]);
    expect(jobsForPush(other, infraPush((p) => (p.repository.full_name = "acme/platform"))).map((job) => job.kind)).toEqual(["refresh-promotions"]);
  });
});
