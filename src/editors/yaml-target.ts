/**
 * What the YAML kinds (Helm values, kustomization, manifest) share: parsing with the `yaml`
 * package's Document API, the checks on the one located value, the splice by the value's source
 * range, and the proof by re-parsing. A kind only says how to locate its value (a YamlLocator).
 *
 * Decisions:
 * - The file is parsed as a stream (`---` separated documents), YAML 1.2 core schema with merge
 *   keys (`<<`), as Helm and Kubernetes read them; duplicate keys are an error. A file that does
 *   not parse is refused (`edit_not_isolated`), as tfvars that HCL rejects.
 * - Writing never goes through `Document.toString()`, which re-renders untouched lines: the new
 *   scalar is spliced at `node.range`, in the style the old one had (plain, 'single', "double").
 * - The value must be one single-line string scalar, the only thing on its line up to an optional
 *   comment, which must be the service's release marker (release-marker.ts). A block scalar, a
 *   multi-line or tagged scalar, a mapping, a list, a number or an empty value is refused
 *   (`target_not_scalar`); a value that shares its line with other content (flow style
 *   `{ digest: x }`) is refused (`target_shares_line`): the marker could not be told apart.
 * - An alias (`*x`), or a value inside an anchored node (`&x`) that an alias repeats elsewhere, or
 *   a key that only a merge key (`<<`) provides, is refused (`target_aliased`): the edit would
 *   change other places too, or none.
 * - The proof: both texts parse to the same number of documents, every document's data is equal
 *   except the one value (now the new one), exactly one line differs, and reading the new text
 *   finds the new value and marker.
 */
import { isDeepStrictEqual } from "node:util";
import { type Document, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Scalar, visit, type YAMLMap } from "yaml";
import { PromoterError } from "../errors.js";
import { markerFields, requireOwnMarker } from "./release-marker.js";
import { lineEnd, lineOf } from "./text-lines.js";
import { describeTarget, type EditorOptions, type PinEdit, type PinnedValue, type TargetEditor, type TargetSpec } from "./target-editor.js";

const PARSE_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: true, strict: true } as const;

export type YamlDocument = Document.Parsed;

export interface YamlLocation {
  /** What stands at the location: the scalar to edit, or anything else, which is refused. */
  node: unknown;
  /** The key whose value it is (for the line when the value has no source range). */
  key: unknown;
  /** Path of the value in the document's data (`toJS()`), for the proof. */
  path: Array<string | number>;
  docIndex: number;
  /** Nodes from the document root down to the value's parent (for the anchor check). */
  ancestors: unknown[];
}

export interface LocateContext {
  file: string;
  text: string;
  /** The location in words, e.g. `core.image.digest`. */
  describe: string;
}

export interface YamlLocator<S extends TargetSpec> {
  /** The one location of the service's value, or a PromoterError (missing, ambiguous, a kind's own refusal). */
  locate(docs: YamlDocument[], spec: S, context: LocateContext): YamlLocation;
}

interface Found {
  pinned: PinnedValue;
  scalar: Scalar;
  valueStart: number;
  valueEnd: number;
  /** End of the line's content (before `\r\n` or `\n`). */
  contentEnd: number;
  comment?: { start: number; end: number };
  location: YamlLocation;
}

export function yamlTargetEditor<S extends TargetSpec>(locator: YamlLocator<S>): TargetEditor<S> {
  const find = (text: string, spec: S, options: EditorOptions, { docs } = parseYaml(text, options.file)): Found => {
    const describe = describeTarget(spec);
    const location = locator.locate(docs, spec, { file: options.file, text, describe });
    return inspect(text, docs, location, describe, options);
  };
  return {
    read: (text, spec, options) => find(text, spec, options).pinned,
    edit(text, spec, change, options): PinEdit {
      const found = find(text, spec, options);
      const previous = found.pinned;
      if (previous.value === change.value && previous.marker === change.marker) return { text, previous, changed: false };
      const scalar = encodeScalar(found.scalar.type, change.value);
      const { valueStart, valueEnd, comment, contentEnd } = found;
      const edited = comment
        ? text.slice(0, valueStart) + scalar + text.slice(valueEnd, comment.start) + `# ${change.marker}` + text.slice(comment.end)
        : text.slice(0, valueStart) + scalar + text.slice(valueEnd, contentEnd) + ` # ${change.marker}` + text.slice(contentEnd);
      return { text: edited, previous, changed: true };
    },
    async verify(before, after, spec, change, options) {
      const { file } = options;
      const describe = describeTarget(spec);
      const refuse = (what: string): never => {
        throw new PromoterError(
          "edit_not_isolated",
          `the edit of ${describe} in ${file} ${what}; no change was proposed, this is a bug in release-promoter`,
        );
      };
      const oldYaml = parseYaml(before, file);
      let newYaml: ParsedYaml;
      try {
        newYaml = parseYaml(after, file);
      } catch (error) {
        if (!(error instanceof PromoterError)) throw error;
        return refuse(`does not parse as YAML (${error.message})`);
      }
      const old = find(before, spec, options, oldYaml).location;
      if (oldYaml.docs.length !== newYaml.docs.length) refuse(`changed the number of documents from ${oldYaml.docs.length} to ${newYaml.docs.length}`);
      // The old data is parseYaml's own copy, used nowhere else: the expected value is set in it.
      oldYaml.data.forEach((expected, index) => {
        if (index === old.docIndex && !setIn(expected, old.path, change.value)) refuse(`found no ${describe} in the data before the edit`);
        if (!isDeepStrictEqual(expected, newYaml.data[index])) {
          refuse(index === old.docIndex ? `changed more than ${describe}` : `changed document ${index + 1}`);
        }
      });
      const oldLines = before.split("\n");
      const newLines = after.split("\n");
      if (oldLines.length !== newLines.length) refuse(`changed the number of lines from ${oldLines.length} to ${newLines.length}`);
      const changed = oldLines.flatMap((line, index) => (line === newLines[index] ? [] : [index + 1]));
      const line = nodeLine(before, old.node, old.key);
      if (changed.length !== 1 || changed[0] !== line) refuse(`changed line${changed.length === 1 ? "" : "s"} ${changed.join(", ")}, not only line ${line}`);
      let now: PinnedValue;
      try {
        now = find(after, spec, options, newYaml).pinned;
      } catch (error) {
        if (!(error instanceof PromoterError)) throw error;
        return refuse(`does not read back (${error.code}: ${error.message})`);
      }
      if (now.value !== change.value || now.marker !== change.marker) {
        refuse(`reads back as ${JSON.stringify(now.value)} marked ${now.marker ?? "nothing"}`);
      }
    },
  };
}

export interface ParsedYaml {
  docs: YamlDocument[];
  /** Each document's data (`toJS()`), computed once: the proof compares these. */
  data: unknown[];
}

/** Parses a YAML stream, or throws `edit_not_isolated` naming the first problem and its line. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const docs = parseAllDocuments(text, PARSE_OPTIONS);
  const errors = docs.flatMap((doc) => doc.errors);
  if ("empty" in docs) errors.push(...docs.errors);
  const [first] = errors;
  if (first !== undefined) {
    const line = first.linePos?.[0]?.line;
    const message = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new PromoterError(
      "edit_not_isolated",
      `${file} is not valid YAML (${line === undefined ? "" : `line ${line}: `}${message}); fix the file so Kubernetes and Helm can read it`,
    );
  }
  // Parsed, but not data: an alias to an anchor that does not exist, a merge key whose source is
  // not a mapping, a mapping merged into itself. Kubernetes and Helm refuse such files too.
  const data = docs.map((doc) => {
    try {
      return doc.toJS({ maxAliasCount: -1 }) as unknown;
    } catch (error) {
      throw new PromoterError(
        "edit_not_isolated",
        `${file} is not valid YAML (${error instanceof RangeError ? "an anchor merged into itself" : error instanceof Error ? error.message : String(error)}); fix the file so Kubernetes and Helm can read it`,
      );
    }
  });
  return { docs: [...docs], data };
}

function inspect(text: string, docs: YamlDocument[], location: YamlLocation, describe: string, options: EditorOptions): Found {
  const { node } = location;
  // A scalar's own line (where the edit happens); for anything else the key's, where a reader looks.
  const line = isScalar(node) ? nodeLine(text, node, location.key) : nodeLine(text, location.key ?? node);
  const where = `${describe} in ${options.file} (line ${line})`;
  if (isAlias(node)) {
    throw new PromoterError(
      "target_aliased",
      `${where} is an alias (*${node.source}) of a value written elsewhere; write the value itself here, the app edits one place only`,
    );
  }
  if (!isScalar(node)) {
    const what = isMap(node) ? "a mapping" : isSeq(node) ? "a list" : "without a value";
    throw new PromoterError("target_not_scalar", `${where} is ${what}, not a string; point the config at the string that holds the pin`);
  }
  for (const holder of location.ancestors) {
    if (isMap(holder) && holder.items.some((pair) => !isScalar(pair.key))) {
      throw new PromoterError(
        "target_aliased",
        `${where} is in a mapping with an alias or a collection as a key, which can stand for any key (even this one); write plain keys`,
      );
    }
  }
  const repeated = aliasedAnchors(docs[location.docIndex]!);
  for (const holder of [...location.ancestors, node]) {
    const anchor = (holder as { anchor?: string }).anchor;
    if (anchor !== undefined && repeated.has(anchor)) {
      throw new PromoterError(
        "target_aliased",
        `${where} is inside &${anchor}, which *${anchor} repeats elsewhere; the edit would change every copy. Write this value without the anchor`,
      );
    }
  }
  const [start, end] = node.range ?? [0, 0];
  const source = text.slice(start, end);
  if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    throw new PromoterError("target_not_scalar", `${where} is a block scalar (| or >); write it on one line`);
  }
  if (typeof node.value !== "string") {
    const what =
      node.value === null
        ? "empty (null)"
        : typeof node.value === "object"
          ? `binary or tagged data (${source.slice(0, 40)})`
          : `a ${typeof node.value} (${source})`;
    throw new PromoterError("target_not_scalar", `${where} is ${what}, not a string; write it as a string, e.g. ""`);
  }
  if (node.tag !== undefined && node.tag !== "tag:yaml.org,2002:str") {
    throw new PromoterError("target_not_scalar", `${where} carries the tag ${node.tag}; remove the tag`);
  }
  if (/[\r\n]/.test(source)) {
    throw new PromoterError("target_not_scalar", `${where} spans several lines; write it on one line`);
  }
  // The value is alone on its key's line: `key: value`, `- key: value`, nothing else before it.
  const keyRange = (location.key as { range?: [number, number, number] } | null)?.range;
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  if (keyRange !== undefined) {
    // A byte-order mark before a first-line key is not content.
    const beforeKey = text.slice(lineStart, keyRange[0]).replace(/^\uFEFF/, "");
    const between = text.slice(keyRange[1], start);
    if (!/^[ \t]*(?:-[ \t]+)*$/.test(beforeKey) || !/^[ \t]*:[ \t]+(?:(?:![^\s]*|&[^\s]+)[ \t]+)*$/.test(between)) {
      throw new PromoterError(
        "target_shares_line",
        `${where} is not alone with its key on its line (flow style, an explicit key, or the value on the line after its key); ` +
          `write it as key: value in block style, on a line of its own, so the app can mark its version after it`,
      );
    }
  }
  const contentEnd = lineEnd(text, end);
  const rest = /^[ \t]*(#.*)?$/.exec(text.slice(end, contentEnd));
  if (rest === null) {
    throw new PromoterError(
      "target_shares_line",
      `${where} shares its line with other content (${JSON.stringify(text.slice(end, contentEnd).trim().slice(0, 40))}); ` +
        `put the value on a line of its own (block style) so the app can mark its version after it`,
    );
  }
  const found: Found = { scalar: node, valueStart: start, valueEnd: end, contentEnd, location, pinned: { value: node.value, line } };
  const commentText = rest[1]?.trimEnd();
  if (commentText !== undefined) {
    const release = requireOwnMarker(commentText, options.markerPrefix, where);
    const commentStart = end + (rest[0].length - rest[1]!.length);
    found.comment = { start: commentStart, end: commentStart + commentText.length };
    found.pinned = { ...found.pinned, ...markerFields(release) };
  }
  return found;
}

/**
 * A new scalar in the style of the old one. A value a plain scalar cannot hold (an IPv6
 * registry, `[::1]:5000/acme/core-api@sha256:…`, starts with a flow indicator) is written in
 * double quotes instead: the one case where the style changes, since keeping it would change
 * the value.
 */
function encodeScalar(type: Scalar["type"], value: string): string {
  if (type === "QUOTE_SINGLE") return `'${value.replaceAll("'", "''")}'`;
  if (type === "QUOTE_DOUBLE" || !/^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/.test(value)) return JSON.stringify(value);
  return value;
}

function aliasedAnchors(doc: YamlDocument): Set<string> {
  const names = new Set<string>();
  visit(doc, {
    Alias(_, alias) {
      names.add(alias.source);
    },
  });
  return names;
}

function setIn(data: unknown, path: Array<string | number>, value: string): boolean {
  let holder = data;
  for (const key of path.slice(0, -1)) {
    if (typeof holder !== "object" || holder === null) return false;
    holder = (holder as Record<string | number, unknown>)[key];
  }
  const last = path.at(-1);
  if (last === undefined || typeof holder !== "object" || holder === null || !Object.hasOwn(holder, last)) return false;
  (holder as Record<string | number, unknown>)[last] = value;
  return true;
}

/** 1-based line of a node (or of its key, when the node has no source, e.g. an empty value). */
export function nodeLine(text: string, node: unknown, key?: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range ?? (key as { range?: [number, number, number] } | null)?.range;
  return lineOf(text, range?.[0] ?? 0);
}

/** The pair of `map` whose key is the plain string `key`. */
export function pairOf(map: YAMLMap, key: string): { key: unknown; value: unknown } | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as { key: unknown; value: unknown } | undefined;
}

/** Whether a mapping takes keys from a merge key (`<<: *base`), which the parser gives a symbol key. */
export function hasMergeKey(map: YAMLMap): boolean {
  return map.items.some((pair) => isScalar(pair.key) && (typeof pair.key.value === "symbol" || pair.key.value === "<<"));
}

/** A scalar's string value, or undefined. */
export function stringOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

/** "lines 3 and 9", "lines 3, 9 and 12". */
export function listLines(lines: number[]): string {
  return `lines ${lines.length <= 2 ? lines.join(" and ") : `${lines.slice(0, -1).join(", ")} and ${lines.at(-1)}`}`;
}
