/**
 * Rollback holds. A rollback PR (`/release-promoter promote core v0.9.3 to prod` below what runs)
 * records `rollback: { from }` in its promotion record; once merged it **holds** the environment:
 * no tag, sweep or Re-run proposes the version rolled back from, or any version up to it, again.
 * The hold lives where reviewers see it and a restart cannot lose it: the merged PR itself (its
 * title, `rollback` label, body and record on GitHub). It ends when
 *
 * - a newer release than `from` is merged on the promotion branch (the newest merged PR is then
 *   not the rollback), which a tag above `from` proposes as usual; or
 * - a person comments `/release-promoter release core in prod`: the app writes
 *   `released: { by }` into the rollback PR's record (and a line into its body).
 *
 * A rollback from a version nobody knew (the file had no marker) holds every version until
 * released: the app cannot tell which versions are safe again.
 */
import semver from "semver";
import { parseReleaseTag } from "./parse-tag.js";
import type { PromotionRecord, ReadRecord } from "./promotion-record.js";

export interface Hold {
  number: number;
  url: string;
  /** The version rolled back to. */
  version: string;
  /** Versions up to this one are held; undefined: every version. */
  through: string | undefined;
  /** The rollback's record; undefined when the hold is the fail-closed one (see `reason`). */
  record: PromotionRecord | undefined;
  /** Why every version is held without a readable rollback (an unreadable or undated newest merged PR). */
  reason?: string;
}

export interface BranchHistoryEntry {
  number: number;
  url: string;
  merged: boolean;
  mergedAt?: string | null | undefined;
  record: ReadRecord;
}

/**
 * The hold the promotion branch's PRs put on the environment, if any (pure). Fail closed: when
 * the newest merged PR cannot be read (its record edited away) or dated, every version is held,
 * with the reason; an app PR merged after an unreleased rollback keeps the hold unless it moved
 * above the version rolled back from.
 */
export function activeHold(pullRequests: readonly BranchHistoryEntry[]): Hold | undefined {
  const merged = pullRequests.filter((pr) => pr.merged);
  if (merged.length === 0) return undefined;
  if (merged.some((pr) => typeof pr.mergedAt !== "string" || Number.isNaN(Date.parse(pr.mergedAt)))) {
    const undated = merged.find((pr) => typeof pr.mergedAt !== "string")!;
    return { number: undated.number, url: undated.url, version: "?", through: undefined, record: undefined, reason: `the app cannot tell when PR #${undated.number} was merged` };
  }
  const newestFirst = [...merged].sort((a, b) => Date.parse(b.mergedAt!) - Date.parse(a.mergedAt!));
  const newest = newestFirst[0]!;
  if (newest.record.kind === "unreadable") {
    return { number: newest.number, url: newest.url, version: "?", through: undefined, record: undefined, reason: `the promotion record of PR #${newest.number}, the newest merged one, cannot be read (${newest.record.reason}); restore it` };
  }
  const versions: string[] = [];
  for (const pr of newestFirst) {
    if (pr.record.kind !== "record") continue;
    const { record } = pr.record;
    // A push to main has no version: it neither holds nor lifts a hold (holds are on tag environments).
    if (record.tag === undefined) continue;
    const version = parseReleaseTag(record.tag).version;
    if (record.rollback !== undefined) {
      if (record.rollback.released !== undefined) return undefined;
      const from = record.rollback.from;
      // Merged since, at or below the version rolled back from (or any, when that was unknown): still held.
      if (versions.every((since) => from === undefined || semver.lte(since, from))) {
        return { number: pr.number, url: pr.url, version: versions[0] ?? version, through: from, record };
      }
      return undefined;
    }
    versions.push(version);
  }
  return undefined;
}

/** Whether the hold keeps `version` out. */
export function holds(hold: Hold, version: string): boolean {
  return hold.through === undefined || semver.lte(version, hold.through);
}

/** The refusal's text for a held version. */
export function heldReason(hold: Hold, service: string, environment: string, version: string): string {
  if (hold.reason !== undefined) {
    return `${environment} is held for ${service}, because ${hold.reason} ([PR #${hold.number}](${hold.url})); v${version} is not proposed until it can be.`;
  }
  const through = hold.through === undefined ? "every version (it replaced an unknown one)" : `v${hold.through} and below`;
  return (
    `${environment} holds ${service} at v${hold.version}: [PR #${hold.number}](${hold.url}) rolled it back, which keeps out ${through}, so v${version} is not proposed again. ` +
    `Push a release newer than ${hold.through === undefined ? "what was rolled back" : `v${hold.through}`}, or comment \`/release-promoter release ${service} in ${environment}\` on an issue or PR of the infra repository to lift the hold.`
  );
}
