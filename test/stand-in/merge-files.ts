/**
 * git's three-way merge of one text file, as far as the stand-in needs it: line changes of each
 * side against the merge base (the `diff` package's array diff), applied together when they are
 * apart; changes that overlap or touch (adjacent lines, two insertions at one place) conflict —
 * git's rule, which is why two promotions of neighbouring `*_image` lines conflict. Identical
 * changes on both sides merge cleanly, as in git.
 */
import { diffArrays } from "diff";

interface Change {
  /** Base lines [start, end) are replaced by `lines`. */
  start: number;
  end: number;
  lines: string[];
}

const splitLines = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

function changes(base: string[], other: string[]): Change[] {
  const out: Change[] = [];
  let index = 0;
  let current: Change | undefined;
  for (const part of diffArrays(base, other)) {
    if (!part.added && !part.removed) {
      if (current !== undefined) out.push(current);
      current = undefined;
      index += part.value.length;
      continue;
    }
    current ??= { start: index, end: index, lines: [] };
    if (part.removed) {
      current.end += part.value.length;
      index += part.value.length;
    } else {
      current.lines.push(...part.value);
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

const same = (a: Change, b: Change) => a.start === b.start && a.end === b.end && a.lines.join("") === b.lines.join("");

/** The merged text, or undefined when the two sides' changes conflict. */
export function mergeText(base: string, ours: string, theirs: string): string | undefined {
  if (ours === theirs) return ours;
  if (base === ours) return theirs;
  if (base === theirs) return ours;
  const baseLines = splitLines(base);
  const a = changes(baseLines, splitLines(ours));
  const b = changes(baseLines, splitLines(theirs));
  const all: Change[] = [...a];
  for (const change of b) {
    const touching = a.filter((other) => other.start <= change.end && change.start <= other.end);
    if (touching.length === 0) all.push(change);
    else if (!(touching.length === 1 && same(touching[0]!, change))) return undefined;
  }
  all.sort((x, y) => x.start - y.start);
  const out: string[] = [];
  let index = 0;
  for (const change of all) {
    out.push(...baseLines.slice(index, change.start), ...change.lines);
    index = change.end;
  }
  out.push(...baseLines.slice(index));
  return out.join("");
}

/** Merges whole trees (path → text; a missing path is a deleted or absent file). Undefined paths list: clean. */
export function mergeTrees(
  base: ReadonlyMap<string, string>,
  ours: ReadonlyMap<string, string>,
  theirs: ReadonlyMap<string, string>,
): { merged: Map<string, string>; conflicts: string[] } {
  const merged = new Map<string, string>();
  const conflicts: string[] = [];
  for (const path of new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])) {
    const [o, t, b] = [ours.get(path), theirs.get(path), base.get(path)];
    if (o === t) {
      if (o !== undefined) merged.set(path, o);
    } else if (o === b) {
      if (t !== undefined) merged.set(path, t);
    } else if (t === b) {
      if (o !== undefined) merged.set(path, o);
    } else if (o === undefined || t === undefined) {
      conflicts.push(path); // modified on one side, deleted on the other
    } else {
      const text = mergeText(b ?? "", o, t);
      if (text === undefined) conflicts.push(path);
      else merged.set(path, text);
    }
  }
  return { merged, conflicts };
}
