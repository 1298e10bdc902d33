import semver from "semver";

/**
 * The monotonic rule, in one place for every kind of target (a tfvars marker, an open promotion
 * PR, a consumer's version pin, an open contracts bump PR): the app only ever moves a target up.
 *
 * - `unknown`: nothing says what the target holds (a tfvars line with no marker at all). The
 *   caller decides; for a tfvars line the change is planned, since the reviewer sees the old value.
 * - `upgrade`: the proposed version is higher: plan the change.
 * - `same`: the target already holds this version.
 * - `downgrade`: the target holds a higher version: never lowered automatically.
 * - `unreadable`: the target names a version that is not strict SemVer: the app cannot be sure,
 *   so it must refuse (fail closed), never treat it as `unknown`.
 */
export type VersionDecision = "unknown" | "upgrade" | "same" | "downgrade" | "unreadable";

/** Compares what a target holds (`current`) with the version a release proposes. `proposed` must be strict SemVer. */
export function decideVersion(current: string | undefined, proposed: string): VersionDecision {
  if (!isStrictVersion(proposed)) throw new RangeError(`${JSON.stringify(proposed)} is not a strict SemVer version`);
  if (current === undefined) return "unknown";
  if (!isStrictVersion(current)) return "unreadable";
  const order = semver.compare(proposed, current);
  return order > 0 ? "upgrade" : order === 0 ? "same" : "downgrade";
}

/** `1.2.3` or `1.2.3-rc.1`, exactly: no `v`, `=`, spaces, leading zeros or build metadata (`+…` would let two texts name one version). */
export function isStrictVersion(version: string): boolean {
  return semver.valid(version) === version;
}
