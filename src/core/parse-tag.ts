import semver from "semver";
import { PromoterError } from "../errors.js";

export const MAX_TAG_LENGTH = 100;

export interface ReleaseTag {
  tag: string;
  prefix: string;
  /** Strict SemVer 2.0 without build metadata, e.g. "0.10.0" or "1.2.3-rc.1". */
  version: string;
  prerelease: boolean;
}

/**
 * The one release-tag grammar of the app. Tags (`core-v0.10.0`), the pins' markers (`# core-v0.10.0`,
 * and the commit markers `# core@0123456789ab` of environments promoted from main) and the
 * config's service names and tag prefixes all go through this file; nothing else in the codebase
 * spells the grammar out.
 *
 * A tag prefix (and so a service name, which is its default prefix): lowercase ASCII letters and
 * digits in dash-separated words, `core`, `edge-bff`, `3d`.
 */
export const TAG_PREFIX = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// <prefix>-v<major>.<minor>.<patch>[-<prerelease>]; ASCII only, lowercase prefix, no build metadata.
// The prefix is matched lazily, so `edge-bff-v1.2.3` is prefix `edge-bff`; SemVer itself is
// checked by `semver` below (leading zeros, empty identifiers). A prefix cannot hold a dot, so the
// split is unique: the version starts at the first `-v<digits>.<digits>.<digits>` that ends the tag.
const TAG = /^(?<prefix>[a-z0-9]+(?:-[a-z0-9]+)*?)-v(?<version>[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?)$/;

/**
 * Whether a text merely resembles a release tag (`<something>-v<digit>…`, any case, build metadata
 * allowed): used to decide who hears about a problem (a broken config is reported on tags that
 * resemble release tags, not on `latest`) and to name a near-miss marker for what it is. It never
 * decides what is promoted: only parseReleaseTag does.
 */
export function resemblesReleaseTag(text: string): boolean {
  return /^[^/\s]+-v\d/i.test(text);
}

/**
 * Parses a release tag strictly as `<prefix>-v<SemVer 2.0>`. Refuses `core-v1.2`,
 * `core-v01.2.3`, `core-v1.2.3+build.5`, `Core-v1.2.3`, non-ASCII look-alikes and long tags.
 */
export function parseReleaseTag(tag: string): ReleaseTag {
  if (tag.length > MAX_TAG_LENGTH) {
    throw invalid(tag, `it is longer than ${MAX_TAG_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (!/^[\x21-\x7e]+$/.test(tag)) {
    throw invalid(tag, "it contains characters outside printable ASCII (look-alikes are not accepted)");
  }
  if (tag.includes("+")) {
    throw invalid(tag, "build metadata (+…) is not allowed: two tags would name the same version");
  }
  const match = TAG.exec(tag);
  const prefix = match?.groups?.prefix;
  const version = match?.groups?.version;
  if (prefix === undefined || version === undefined) {
    throw invalid(tag, "it is not <prefix>-v<major>.<minor>.<patch>[-<prerelease>] with a lowercase prefix");
  }
  // semver.valid also accepts "v1.2.3" and "=1.2.3" and trims; requiring identity keeps it strict.
  if (semver.valid(version) !== version) {
    throw invalid(tag, `${version} is not a valid SemVer 2.0 version (no leading zeros, no empty identifiers)`);
  }
  return { tag, prefix, version, prerelease: semver.prerelease(version) !== null };
}

/** Hex digits of a commit marker: `# core@0123456789ab`. */
export const COMMIT_MARKER_HEX = 12;

// <prefix>@<12 lowercase hex>: the same prefix grammar as tags; `@` cannot occur in a tag.
const COMMIT_MARKER = new RegExp(`^(?<prefix>${TAG_PREFIX.source.slice(1, -1)})@(?<commit>[0-9a-f]{${COMMIT_MARKER_HEX}})$`);

/**
 * What a marker after a pin names: a release (`core-v1.2.3`, an environment promoted by tags) or
 * a commit of the service's default branch (`core@0123456789ab`, an environment promoted by every
 * push to main). Both grammars live here, so a marker of either kind is read the same way in
 * every environment and every file kind.
 */
export type PromotionMarker =
  | { kind: "release"; text: string; prefix: string; release: ReleaseTag }
  | { kind: "commit"; text: string; prefix: string; commit: string };

/** The marker `text` names, or undefined when it is neither a strict release tag nor a commit marker. */
export function parsePromotionMarker(text: string): PromotionMarker | undefined {
  const release = tryParseReleaseTag(text);
  if (release !== undefined) return { kind: "release", text, prefix: release.prefix, release };
  const match = COMMIT_MARKER.exec(text);
  if (match?.groups === undefined) return undefined;
  return { kind: "commit", text, prefix: match.groups.prefix!, commit: match.groups.commit! };
}

/** The commit marker of `commit` (40 hex) for a service's prefix: `core@0123456789ab`. */
export function commitMarker(prefix: string, commit: string): string {
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`not a full commit id: ${commit}`);
  return `${prefix}@${commit.slice(0, COMMIT_MARKER_HEX)}`;
}

/** Whether a text resembles a commit marker without being a strict one (`core@ABC`, `core@abc`). */
export function resemblesCommitMarker(text: string): boolean {
  return /^[^@\s]+@[0-9a-f]/i.test(text);
}

/** parseReleaseTag, or undefined when the text is not a strict release tag. */
export function tryParseReleaseTag(tag: string): ReleaseTag | undefined {
  try {
    return parseReleaseTag(tag);
  } catch (error) {
    if (error instanceof PromoterError) return undefined;
    throw error;
  }
}

function invalid(tag: string, why: string): PromoterError {
  return new PromoterError("invalid_tag", `Tag ${JSON.stringify(tag)} is refused: ${why}.`);
}
