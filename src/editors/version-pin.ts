import { PromoterError } from "../errors.js";

export interface VersionPinChange {
  /** The pin as it appears in the file, with `{version}` where the version stands. */
  pattern: string;
  version: string;
}

export interface VersionPinEdit {
  text: string;
  changed: boolean;
  /** The version pinned before. */
  from: string;
  line: number;
}

const VERSION = "([0-9A-Za-z](?:[0-9A-Za-z.+_-]*[0-9A-Za-z])?)";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Moves a version pin (`acme-contracts-schemas==0.3.1` in requirements.txt, a URL with the
 * version in it, ...) to `version`. Exactly one occurrence must match; the pin must not be
 * part of a longer name. Only the version's characters change.
 */
export function bumpVersionPin(text: string, change: VersionPinChange, options: { file?: string } = {}): VersionPinEdit {
  const file = options.file ?? "the pin file";
  const [before, after] = change.pattern.split("{version}");
  if (before === undefined || after === undefined) throw new Error("pattern must hold {version} once");
  const pattern = new RegExp(`(?<![A-Za-z0-9_.-])${escape(before)}${VERSION}${escape(after)}`, "g");
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) {
    throw new PromoterError("pin_not_found", `${file} has no pin matching ${JSON.stringify(change.pattern)}; fix the pattern in the config or the file.`);
  }
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  if (matches.length > 1) {
    throw new PromoterError(
      "pin_ambiguous",
      `${file} matches ${JSON.stringify(change.pattern)} ${matches.length} times (lines ${matches.map((m) => lineOf(m.index)).join(", ")}); exactly one pin is required.`,
    );
  }
  const match = matches[0]!;
  const from = match[1]!;
  const start = match.index + before.length;
  const next = text.slice(0, start) + change.version + text.slice(start + from.length);
  return { text: next, changed: next !== text, from, line: lineOf(match.index) };
}
