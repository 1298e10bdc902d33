/**
 * Named builders for the GitHub and registry answers of a promotion (release-drafter style),
 * so tests read as scenarios, not as nock chains.
 */
import { readFileSync } from "node:fs";
import nock from "nock";
import type { GitHubMock } from "./github-mock.js";

export const INFRA = {
  id: "R_kgDOinfra",
  nameWithOwner: "acme/infra",
  url: "https://github.com/acme/infra",
  defaultBranch: "main",
  headOid: "1f".repeat(20),
};
export const SOURCE = { nameWithOwner: "acme/core-api", url: "https://github.com/acme/core-api" };
export const TAGGED_COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
export const DIGEST = `sha256:${"ab12".repeat(16)}`;
export const OLD_DIGEST = `sha256:${"1".repeat(64)}`;

export const fixture = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8");
export const CONFIG_TEXT = fixture("infra/.github/release-promoter.yml");
export const PROD_TFVARS = fixture("infra/envs/prod.tfvars");

export function pushPayload(overrides: { tag?: string; repository?: string; after?: string } = {}): Record<string, unknown> {
  const payload = JSON.parse(fixture("payloads/push-tag-core-v0.10.0.json")) as Record<string, any>;
  if (overrides.tag !== undefined) payload.ref = `refs/tags/${overrides.tag}`;
  if (overrides.repository !== undefined) {
    const [owner, name] = overrides.repository.split("/");
    payload.repository.full_name = overrides.repository;
    payload.repository.name = name;
    payload.repository.owner.login = owner;
  }
  if (overrides.after !== undefined) payload.after = overrides.after;
  return payload;
}

export interface ExistingCheck {
  databaseId: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

export function promotionContext(options: {
  configText?: string | null;
  commit?: string | null;
  annotated?: boolean;
  onMain?: boolean;
  checkRun?: ExistingCheck;
  source?: { nameWithOwner: string; url: string };
}) {
  const commit = options.commit === undefined ? TAGGED_COMMIT : options.commit;
  const checkSuites = { nodes: options.checkRun ? [{ checkRuns: { nodes: [options.checkRun] } }] : [] };
  const commitObject = commit === null ? null : { __typename: "Commit", oid: commit, checkSuites };
  return {
    infra: {
      id: INFRA.id,
      nameWithOwner: INFRA.nameWithOwner,
      url: INFRA.url,
      defaultBranchRef: { name: INFRA.defaultBranch, target: { oid: INFRA.headOid } },
      config: options.configText === null ? null : { text: options.configText ?? CONFIG_TEXT, isBinary: false },
    },
    source: {
      ...(options.source ?? SOURCE),
      defaultBranchRef: { name: "main", compare: { status: options.onMain === false ? "DIVERGED" : "BEHIND", aheadBy: options.onMain === false ? 2 : 0 } },
      tag:
        commitObject === null
          ? null
          : { target: options.annotated ? { __typename: "Tag", oid: "7a".repeat(20), target: commitObject } : commitObject },
    },
  };
}

export interface TargetFixture {
  baseText?: string | null;
  branch?: { id: string; oid: string; text: string | null };
  pullRequest?: { id: string; number: number; url: string };
}

export function promotionTargets(targets: TargetFixture[]) {
  const repository: Record<string, unknown> = {};
  targets.forEach((t, i) => {
    repository[`base${i}`] = t.baseText === null ? null : { text: t.baseText ?? PROD_TFVARS };
    repository[`head${i}`] = t.branch === undefined || t.branch.text === null ? null : { text: t.branch.text };
    repository[`ref${i}`] = t.branch === undefined ? null : { id: t.branch.id, target: { oid: t.branch.oid } };
    repository[`pulls${i}`] = { nodes: t.pullRequest ? [t.pullRequest] : [] };
  });
  return { repository };
}

export function decodeCommittedFile(variables: Record<string, any>): { path: string; text: string } {
  const addition = variables.fileChanges.additions[0];
  return { path: addition.path, text: Buffer.from(addition.contents, "base64").toString("utf8") };
}

/** The lines that differ between two texts, as [before, after] pairs (same line count assumed). */
export function changedLines(before: string, after: string): Array<[string | undefined, string | undefined]> {
  const a = before.split("\n");
  const b = after.split("\n");
  const out: Array<[string | undefined, string | undefined]> = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push([a[i], b[i]]);
  return out;
}

/**
 * ghcr.io as it behaves: anonymous HEAD → 401 Bearer challenge → token (Basic credentials) →
 * HEAD with the token → the index digest.
 */
export function mockManifestHead(options: { image?: string; reference: string; digest: string; notFoundFirst?: number }) {
  const repository = options.image ?? "acme/core-api";
  const registry = nock("https://ghcr.io");
  const challenge = {
    "www-authenticate": `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:${repository}:pull"`,
  };
  registry.head(`/v2/${repository}/manifests/${options.reference}`).reply(401, "", challenge);
  registry
    .get("/token")
    .query({ service: "ghcr.io", scope: `repository:${repository}:pull` })
    .basicAuth({ user: "ci-bot", pass: "ghcr-secret-value" })
    .reply(200, { token: "registry-token" });
  for (let i = 0; i < (options.notFoundFirst ?? 0); i++) {
    registry
      .head(`/v2/${repository}/manifests/${options.reference}`)
      .matchHeader("authorization", "Bearer registry-token")
      .reply(404, "", { "content-type": "application/json" });
  }
  registry
    .head(`/v2/${repository}/manifests/${options.reference}`)
    .matchHeader("authorization", "Bearer registry-token")
    .matchHeader("accept", /application\/vnd\.oci\.image\.index\.v1\+json/)
    .reply(200, "", {
      "content-type": "application/vnd.oci.image.index.v1+json",
      "docker-content-digest": options.digest,
      "content-length": "1234",
    });
  return registry;
}

export const REGISTRY_ENV = { GHCR_USER: "ci-bot", GHCR_TOKEN: "ghcr-secret-value" };

/** Expects the happy-path reads of a promotion. */
export function expectReads(github: GitHubMock, context: ReturnType<typeof promotionContext>, targets: ReturnType<typeof promotionTargets>) {
  github.graphql("ReadPromotionContext", () => context).graphql("ReadPromotionTargets", () => targets);
}
