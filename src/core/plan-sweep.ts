/**
 * The sweep's decisions, pure: for every (environment, service) of an installation, the desired
 * state (the highest strict release tag of the service that the environment takes and whose
 * commit is on the default branch) against the actual state (the marker in the environment file
 * on infra's default branch, and the promotion branch's PRs). A key that is behind gets its tag
 * promoted by the ordinary promotion path, which re-checks everything; a converged key costs
 * nothing. Decisions a person made are kept: a PR closed without merging, or a version rolled
 * back by hand after its PR was merged, is not promoted again (a newer tag is).
 */
import type { Config } from "../config/config.schema.js";
import { readPin } from "../editors/editors.js";
import { type PinnedValue, targetOf } from "../editors/target-editor.js";
import { isPromoterError } from "../errors.js";
import { type ReleaseTag, tryParseReleaseTag } from "./parse-tag.js";
import type { ReadRecord } from "./promotion-record.js";
import { branchName } from "./pull-request-text.js";
import { tagPrefixOf } from "./select-promotion.js";
import { decideVersion } from "./version-policy.js";
import { activeHold, type Hold, holds } from "./hold.js";
import semver from "semver";

export interface SweepKey {
  environment: string;
  service: string;
  branch: string;
  file: string;
}

export interface BranchPullRequest {
  number: number;
  url: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  mergedAt?: string | undefined;
  record: ReadRecord;
}

/** Every key of the config, in config order. */
export function sweepKeys(config: Config): SweepKey[] {
  return Object.entries(config.environments).flatMap(([environment, env]) =>
    Object.keys(config.services)
      .filter((service) => env.services === undefined || env.services.includes(service))
      .map((service) => ({ environment, service, branch: branchName(environment, service), file: env.file })),
  );
}

export type KeyVerdict =
  | { kind: "converged"; reason: string }
  | { kind: "skipped"; reason: string }
  /** Behind: candidates newer than what runs, highest first; the first one on the default branch is wanted. */
  | { kind: "behind"; candidates: ReleaseTag[]; current: string | undefined }
  /** An on: main environment that does not run the head of the service's default branch (the promotion of main decides how to move it). */
  | { kind: "main-behind"; head: string; reason: string };

/** Step 1: what each key holds and which tags could move it forward. */
export function judgeKey(args: {
  config: Config;
  key: SweepKey;
  /** The service repository's tags (undefined: the repository is not visible to the app). */
  tags: Array<{ name: string; commit: string | undefined }> | undefined;
  fileText: string | undefined;
  /** The head of the service's default branch (undefined: not read). */
  head?: string | undefined;
}): KeyVerdict {
  const { config, key } = args;
  const service = config.services[key.service]!;
  const environment = config.environments[key.environment]!;
  if (args.tags === undefined) return { kind: "skipped", reason: `${service.repository} is not visible to the app` };
  if (args.fileText === undefined) return { kind: "skipped", reason: `${key.file} does not exist on the default branch` };
  const prefix = tagPrefixOf(key.service, service);
  let pin: PinnedValue;
  try {
    pin = readPin(args.fileText, targetOf(key.service, service, environment.kind), { file: key.file, markerPrefix: prefix });
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    // The promotion path would refuse this file too; a sweep does not report what nobody asked for.
    return { kind: "skipped", reason: `${key.file} cannot be read for ${key.service} (${error.code})` };
  }
  if (environment.on === "main") {
    if (args.head === undefined) return { kind: "skipped", reason: `the head of ${service.repository}'s default branch could not be read` };
    if (pin.commit !== undefined && args.head.startsWith(pin.commit)) return { kind: "converged", reason: `runs ${pin.marker}, the head of the default branch` };
    // A release marker (staging may run a release): converged when that tag names the head.
    if (pin.version !== undefined && args.tags.some((tag) => tag.name === pin.marker && tag.commit === args.head)) {
      return { kind: "converged", reason: `runs ${pin.marker}, which tags the head of the default branch` };
    }
    return { kind: "main-behind", head: args.head, reason: `runs ${pin.marker ?? "an unmarked value"}; the default branch is at ${args.head.slice(0, 12)}` };
  }
  const current = pin.version;
  const candidates = args.tags
    .flatMap((tag) => {
      const release = tryParseReleaseTag(tag.name);
      return release === undefined || release.prefix !== prefix || tag.commit === undefined ? [] : [release];
    })
    .filter((release) => !release.prerelease || environment.prerelease)
    .filter((release) => {
      const decision = decideVersion(current, release.version);
      return decision === "unknown" || decision === "upgrade";
    })
    .sort((a, b) => semver.rcompare(a.version, b.version));
  if (candidates.length === 0) return { kind: "converged", reason: current === undefined ? "no release tag" : `runs v${current}, the highest release` };
  return { kind: "behind", candidates, current };
}

/** The hold a promotion branch's PRs, as the sweep reads them, put on the key (core/hold.ts). */
export function branchHold(pullRequests: BranchPullRequest[]): Hold | undefined {
  return activeHold(pullRequests.map((pr) => ({ number: pr.number, url: pr.url, merged: pr.state === "MERGED", mergedAt: pr.mergedAt, record: pr.record })));
}

/** A key behind, without the versions a hold keeps out: converged when no candidate is left. */
export function heldVerdict(verdict: KeyVerdict, hold: Hold | undefined): KeyVerdict {
  if (hold === undefined || verdict.kind !== "behind") return verdict;
  const free = verdict.candidates.filter((release) => !holds(hold, release.version));
  return free.length === 0 ? { kind: "converged", reason: `held at v${hold.version} by the rollback of PR #${hold.number}` } : { ...verdict, candidates: free };
}

/**
 * Codes after which trying the same tag again can help (the sweep retries them). A tag held by a
 * rollback is tried again once the hold is lifted (while it holds, the sweep filters it out first).
 */
const RETRY_CODES = new Set(["image_not_found", "registry_unavailable", "github_unavailable", "github_conflict", "internal_error", "package_version_missing", "rollback_hold"]);

export interface TagProbe {
  onDefaultBranch: boolean;
  checkRun: { status: string; conclusion: string | undefined; title: string | undefined } | undefined;
}

/**
 * Whether a candidate tag may be promoted by a sweep: on the default branch, and not already
 * refused for good (the app's last check run on it is a completed refusal whose code retrying
 * cannot fix; pushing the tag again, or redelivering, still retries it).
 */
export function isEligible(tag: string, probe: TagProbe): { eligible: boolean; reason?: string } {
  if (!probe.onDefaultBranch) return { eligible: false, reason: `${tag} is not on the default branch` };
  const run = probe.checkRun;
  if (run === undefined || run.status !== "COMPLETED" || run.conclusion === "success") return { eligible: true };
  const code = /not promoted(?: to [^:]+)?: ([a-z_]+)$/.exec(run.title ?? "")?.[1];
  if (code === undefined || RETRY_CODES.has(code)) return { eligible: true };
  return { eligible: false, reason: `${tag} was refused (${code}); push it again to retry` };
}

export type KeyDecision = { kind: "promote"; tag: string } | { kind: "converged"; reason: string };

/** An on: main key behind its head: the open PR of its branch that already proposes that head, if any (then nothing is queued). */
export function headProposedBy(head: string, pullRequests: BranchPullRequest[]): BranchPullRequest | undefined {
  return pullRequests.find((pr) => pr.state === "OPEN" && pr.record.kind === "record" && pr.record.record.commit === head);
}

/** Step 2: with the wanted tag known, what the promotion branch's PRs say. */
export function decideKey(wanted: ReleaseTag, pullRequests: BranchPullRequest[]): KeyDecision {
  for (const pr of pullRequests) {
    if (pr.record.kind !== "record" || pr.record.record.tag !== wanted.tag) continue;
    if (pr.state === "OPEN") return { kind: "converged", reason: `PR #${pr.number} proposes ${wanted.tag}` };
    if (pr.state === "CLOSED") return { kind: "converged", reason: `PR #${pr.number} for ${wanted.tag} was closed without merging by a person` };
    // A rollback merged after it, whose hold a person lifted, asks for the newest release again.
    const releasedSince = pullRequests.some(
      (other) =>
        other.state === "MERGED" &&
        other.record.kind === "record" &&
        other.record.record.rollback?.released !== undefined &&
        other.mergedAt !== undefined &&
        pr.mergedAt !== undefined &&
        Date.parse(other.mergedAt) > Date.parse(pr.mergedAt),
    );
    if (releasedSince) continue;
    return { kind: "converged", reason: `PR #${pr.number} for ${wanted.tag} was merged and the version was changed by hand since` };
  }
  if (pullRequests.some((pr) => pr.state === "OPEN" && pr.record.kind === "unreadable")) {
    return { kind: "converged", reason: "the open PR's record cannot be read; it is left as it is" };
  }
  return { kind: "promote", tag: wanted.tag };
}
