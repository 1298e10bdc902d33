/**
 * The release marker every editable target carries after its value, on the same line:
 * `# core-v0.10.0` (tfvars also accepts `// core-v0.10.0`). One grammar (core/parse-tag.ts), one
 * reading for every file kind: a comment there is either exactly this service's marker or a
 * refusal that says why. None is ever taken as "no marker", since the downgrade rule would then
 * take the running version as unknown (fail closed).
 */
import { type PromotionMarker, parsePromotionMarker, resemblesCommitMarker, resemblesReleaseTag } from "../core/parse-tag.js";
import { PromoterError } from "../errors.js";

/**
 * What a marker comment (`# core-v0.10.0`, `# core@0123456789ab`, `// core-v0.10.0`) names, in the
 * one marker grammar (core/parse-tag.ts); undefined for any other comment (a near-miss, a block
 * comment, a human's note).
 */
export function releaseMarkerOf(comment: string): PromotionMarker | undefined {
  const body = commentBody(comment);
  return body === undefined ? undefined : parsePromotionMarker(body);
}

/** The fields a pin read carries for its marker: its text, and the version or commit it names. */
export function markerFields(marker: PromotionMarker): { marker: string; version?: string; commit?: string } {
  return marker.kind === "release" ? { marker: marker.text, version: marker.release.version } : { marker: marker.text, commit: marker.commit };
}

/** The text of a `#` or `//` comment without its opener, trimmed; undefined for any other comment. */
export function commentBody(comment: string): string | undefined {
  const body = comment.startsWith("#") ? comment.slice(1) : comment.startsWith("//") ? comment.slice(2) : undefined;
  return body?.trim();
}

/**
 * The comment after a target's value must be exactly the service's marker: returns it, or throws
 * `trailing_comment` naming what the comment is instead (another service's marker, a near-miss,
 * a human's note). `where` names the target and its line, e.g. `core_image in envs/prod.tfvars (line 3)`.
 */
export function requireOwnMarker(comment: string, prefix: string, where: string): PromotionMarker {
  const marker = `# ${prefix}-vX.Y.Z`;
  const body = commentBody(comment);
  if (body !== undefined) {
    const release = parsePromotionMarker(body);
    if (release?.prefix === prefix) return release;
    if (release !== undefined) {
      throw new PromoterError(
        "trailing_comment",
        `${where} carries the release marker of another service (${excerpt(comment)}), not ${prefix}'s; ` +
          `the app cannot tell which version runs. Replace it with ${marker} of the version that runs, or remove it if that is unknown`,
      );
    }
    if (resemblesCommitMarker(body)) {
      throw new PromoterError(
        "trailing_comment",
        `${where} has a comment that resembles a commit marker but is not a strict one (${excerpt(comment)}); ` +
          `the app cannot tell which commit runs. Write exactly # ${prefix}@<the first 12 hex digits of the commit, lowercase>, or remove it if the commit is unknown`,
      );
    }
    if (resemblesReleaseTag(body)) {
      throw new PromoterError(
        "trailing_comment",
        `${where} has a comment that resembles a release marker but is not a strict one (${excerpt(comment)}); ` +
          `the app cannot tell which version runs. Write exactly ${marker} (lowercase, SemVer without build metadata), or remove it if the version is unknown`,
      );
    }
  }
  throw humanComment(comment, prefix, where);
}

/** The refusal for a comment that is not a marker at all (a human's note the edit would delete). */
export function humanComment(comment: string, prefix: string, where: string): PromoterError {
  return new PromoterError(
    "trailing_comment",
    `${where} has a comment on its line (${excerpt(comment)}); ` +
      `move the comment to its own line, the app only replaces a release marker like ${prefix}-v1.2.3 written as # ${prefix}-v1.2.3`,
  );
}

export function excerpt(comment: string): string {
  const trimmed = comment.trim().replace(/\s+/g, " ");
  return trimmed.length > 60 ? `${trimmed.slice(0, 57)}…` : trimmed;
}
