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
  record: PromotionRecord;
}

export interface BranchHistoryEntry {
  number: number;
  url: string;
  merged: boolean;
  mergedAt?: string | null | undefined;
  record: ReadRecord;
}

/** The hold the promotion branch's PRs put on the environment, if any (pure). */
export function activeHold(pullRequests: readonly BranchHistoryEntry[]): Hold | undefined {
  const merged = pullRequests.filter((pr) => pr.merged && pr.record.kind === "record");
  // The newest merged promotion decides; without merge times (an older read) none is trusted as newest.
  const newest = merged
    .filter((pr) => typeof pr.mergedAt === "string")
    .sort((a, b) => Date.parse(b.mergedAt!) - Date.parse(a.mergedAt!))[0];
  if (newest === undefined || newest.record.kind !== "record") return undefined;
  const { record } = newest.record;
  if (record.rollback === undefined || record.rollback.released !== undefined) return undefined;
  const version = parseReleaseTag(record.tag).version;
  return { number: newest.number, url: newest.url, version, through: record.rollback.from, record };
}

/** Whether the hold keeps `version` out. */
export function holds(hold: Hold, version: string): boolean {
  return hold.through === undefined || semver.lte(version, hold.through);
}

/** The refusal's text for a held version. */
export function heldReason(hold: Hold, service: string, environment: string, version: string): string {
  const through = hold.through === undefined ? "every version (it replaced an unknown one)" : `v${hold.through} and below`;
  return (
    `${environment} holds ${service} at v${hold.version}: [PR #${hold.number}](${hold.url}) rolled it back, which keeps out ${through}, so v${version} is not proposed again. ` +
    `Push a release newer than ${hold.through === undefined ? "what was rolled back" : `v${hold.through}`}, or comment \`/release-promoter release ${service} in ${environment}\` on an issue or PR of the infra repository to lift the hold.`
  );
}
