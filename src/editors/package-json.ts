/**
 * The package.json editor: raises the range of one dependency in every dependency section
 * (dependencies, devDependencies, peerDependencies, optionalDependencies), keeping its style
 * (`^0.3.0` → `^0.3.2`, `~`, exact, `=`, `>=`), and leaves every other byte of the file as it
 * was: indentation, key order, a missing final newline, CRLF, a BOM.
 *
 * Pure and synchronous. Like Renovate's npm updater, the new value is spliced in at the position
 * of the old string, then the whole file is re-parsed and compared: only those values may differ.
 *
 * Decisions:
 * - A simple range (`^V`, `~V`, `V`, `=V`, `>=V`, each optionally with `v`) below the new version
 *   is raised with its operator kept, even when it does not allow the new version (`^0.2.0` →
 *   `^0.3.2`): that is the bump. `>=0.3.0` becomes `>=0.3.2`: raising the floor is what a bump
 *   means, and the range still accepts everything newer.
 * - A simple range already at or above the new version is left alone (never a downgrade).
 * - Any other range (`*`, `0.3.x`, `^0.3`, `>=0.3.0 <0.4.0`, `^0.2 || ^0.3`) that allows the new
 *   version is left alone and said so; one that excludes it cannot be raised keeping its style
 *   and is refused (`range_unsupported`).
 * - A dist-tag (`latest`, `next`) is left alone and said so: npm resolves it at install time.
 * - Specs that do not come from the registry (`workspace:`, `file:`, `link:`, `npm:` aliases,
 *   git and GitHub shorthands, tarball URLs, paths) are refused (`range_unsupported`): the app
 *   cannot bump them, a human should look.
 * - `overrides` naming the package would pin it whatever the range says: refused.
 * - A file that is not a JSON object, a section that is not an object, or the package named
 *   twice in one section (JSON.parse keeps the last, editors may show the first) is
 *   `package_json_invalid`.
 */
import { isDeepStrictEqual } from "node:util";
import semver from "semver";
import { PromoterError } from "../errors.js";
import { stripBom } from "./json-text.js";

export const DEPENDENCY_SECTIONS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const;
export type DependencySection = (typeof DEPENDENCY_SECTIONS)[number];

export type RangeDecision =
  /** Write `range` instead. */
  | { kind: "raise"; range: string }
  /** Leave the spec as written; `allowsVersion` says whether it admits the new version. */
  | { kind: "keep"; reason: string; allowsVersion: boolean | "tag" }
  | { kind: "refuse"; reason: string };

export interface PackageChange {
  name: string;
  /** The new version, strict SemVer. */
  version: string;
}

export interface DependencyEdit {
  section: DependencySection;
  from: string;
  /** Equal to `from` when the spec is kept. */
  to: string;
  decision: RangeDecision;
}

export interface PackageJsonEdit {
  text: string;
  changed: boolean;
  /** Every place the package is declared, in section order; empty when it is not a dependency. */
  dependencies: DependencyEdit[];
}

export interface PackageJsonOptions {
  /** The file's path, used in messages only. */
  file?: string;
}

const SIMPLE_RANGE = /^(\^|~|>=|=)?(v)?((?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?)$/;
const NON_REGISTRY_PROTOCOL = /^(workspace|file|link|portal|patch|npm|git|git\+[a-z]+|github|gitlab|bitbucket|gist|https?):/i;
/** What npm accepts as a dist-tag: URL-safe and not a range. */
const TAG = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** What to do with one declared spec when `version` is released. */
export function raiseRange(spec: string, version: string): RangeDecision {
  if (semver.valid(version) === null || semver.clean(version) !== version) {
    throw new RangeError(`${JSON.stringify(version)} is not a strict SemVer version`);
  }
  const protocol = NON_REGISTRY_PROTOCOL.exec(spec);
  if (protocol !== null || /^(\.{1,2}\/|\/|~\/)/.test(spec) || (/\//.test(spec) && semver.validRange(spec, { loose: true }) === null)) {
    const what = protocol === null ? "a path or git/GitHub reference" : `a ${protocol[1]!.toLowerCase()}: spec`;
    return { kind: "refuse", reason: `${JSON.stringify(spec)} is ${what}, not a registry version range; the app only bumps versions from the registry` };
  }

  const simple = SIMPLE_RANGE.exec(spec);
  if (simple !== null) {
    const [, operator = "", v = "", base = ""] = simple;
    if (semver.gte(base, version)) {
      return { kind: "keep", reason: `${JSON.stringify(spec)} is already at ${base}, not below ${version}`, allowsVersion: semver.satisfies(version, spec) };
    }
    return { kind: "raise", range: `${operator}${v}${version}` };
  }

  // npm reads ranges loosely and, like npm, a prerelease only satisfies a range that names one.
  if (semver.validRange(spec, { loose: true }) !== null) {
    if (semver.satisfies(version, spec, { loose: true })) {
      return { kind: "keep", reason: `${JSON.stringify(spec || "*")} already allows ${version} and is kept as written`, allowsVersion: true };
    }
    return {
      kind: "refuse",
      reason: `${JSON.stringify(spec)} excludes ${version} and is not a single ^, ~, >= or exact version the app can raise keeping its style; update it by hand`,
    };
  }

  if (TAG.test(spec)) {
    return { kind: "keep", reason: `${JSON.stringify(spec)} is a dist-tag, resolved by npm at install time; kept as written`, allowsVersion: "tag" };
  }
  return { kind: "refuse", reason: `${JSON.stringify(spec)} is neither a version range nor a dist-tag` };
}

/** The package's declared specs, per section. Throws `package_json_invalid`. */
export function readDependencySpecs(text: string, name: string, options: PackageJsonOptions = {}): Array<{ section: DependencySection; spec: string }> {
  const file = options.file ?? "package.json";
  const root = parsePackageJson(text, file);
  return findDependencies(root, name, file).map(({ section, node }) => ({ section, spec: node.value }));
}

/** Raises `change.name` in every dependency section. Throws PromoterError. */
export function editPackageJson(text: string, change: PackageChange, options: PackageJsonOptions = {}): PackageJsonEdit {
  const file = options.file ?? "package.json";
  const root = parsePackageJson(text, file);
  refuseOverrides(root, change.name, file);

  const dependencies: DependencyEdit[] = [];
  const splices: JsonStringEdit[] = [];
  for (const { section, node } of findDependencies(root, change.name, file)) {
    const decision = raiseRange(node.value, change.version);
    if (decision.kind === "refuse") {
      throw new PromoterError("range_unsupported", `${change.name} in ${section} of ${file}: ${decision.reason}`);
    }
    const to = decision.kind === "raise" ? decision.range : node.value;
    dependencies.push({ section, from: node.value, to, decision });
    if (to !== node.value) splices.push({ path: [section, change.name], value: to });
  }
  if (splices.length === 0) return { text, changed: false, dependencies };
  return { text: spliceJsonStrings(text, splices, file), changed: true, dependencies };
}

/** The package.json parsed, as a plain object. Throws `package_json_invalid`. */
export function parsePackageJson(text: string, file: string): JsonObject {
  let root: JsonNode;
  try {
    root = parseJsonSpans(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : String(error);
    throw new PromoterError("package_json_invalid", `${file} is not valid JSON (${detail}); fix it so npm can read it`);
  }
  if (root.kind !== "object") {
    throw new PromoterError("package_json_invalid", `${file} is not a JSON object; npm cannot read it as a package`);
  }
  return root;
}

function findDependencies(root: JsonObject, name: string, file: string): Array<{ section: DependencySection; node: JsonString }> {
  const found: Array<{ section: DependencySection; node: JsonString }> = [];
  for (const section of DEPENDENCY_SECTIONS) {
    const sectionNode = uniqueMember(root, section, file);
    if (sectionNode === undefined) continue;
    if (sectionNode.kind !== "object") {
      throw new PromoterError("package_json_invalid", `${section} in ${file} is not an object of name → range`);
    }
    const node = uniqueMember(sectionNode, name, file, section);
    if (node === undefined) continue;
    if (node.kind !== "string") {
      throw new PromoterError("package_json_invalid", `${name} in ${section} of ${file} is not a string; write its version range as a string`);
    }
    found.push({ section, node });
  }
  return found;
}

function refuseOverrides(root: JsonObject, name: string, file: string): void {
  const overrides = uniqueMember(root, "overrides", file);
  if (overrides === undefined) return;
  const mentions = (node: JsonNode): boolean =>
    node.kind === "object" && node.members.some((member) => member.key === name || member.key.startsWith(`${name}@`) || mentions(member.value));
  if (mentions(overrides)) {
    throw new PromoterError(
      "range_unsupported",
      `${file} overrides ${name}, which pins it whatever the dependency range says; remove or update the override by hand`,
    );
  }
}

function uniqueMember(object: JsonObject, key: string, file: string, within?: string): JsonNode | undefined {
  const matches = object.members.filter((member) => member.key === key);
  if (matches.length > 1) {
    throw new PromoterError(
      "package_json_invalid",
      `${JSON.stringify(key)} appears ${matches.length} times in ${within === undefined ? "" : `${within} of `}${file}; keep one`,
    );
  }
  return matches[0]?.value;
}

// ---------------------------------------------------------------------------------------------
// JSON with positions: the splice-and-verify primitive shared with the lockfile editor.

export type JsonNode = JsonObject | JsonArray | JsonString | JsonScalar;
export interface JsonObject {
  kind: "object";
  start: number;
  end: number;
  members: Array<{ key: string; value: JsonNode }>;
}
export interface JsonArray {
  kind: "array";
  start: number;
  end: number;
  items: JsonNode[];
}
export interface JsonString {
  kind: "string";
  start: number;
  end: number;
  value: string;
}
export interface JsonScalar {
  kind: "scalar";
  start: number;
  end: number;
}

/**
 * Parses JSON (after JSON.parse has accepted it, so only valid JSON reaches the scanner) into
 * nodes that know their source span. A leading BOM is skipped, as npm does. Throws SyntaxError.
 */
export function parseJsonSpans(text: string): JsonNode {
  const body = stripBom(text);
  JSON.parse(body);
  let at = text.length - body.length;

  const skipSpace = (): void => {
    while (at < text.length && (text[at] === " " || text[at] === "\t" || text[at] === "\n" || text[at] === "\r")) at++;
  };
  const readString = (): JsonString => {
    const start = at;
    at++; // opening quote
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return { kind: "string", start, end: at, value: JSON.parse(text.slice(start, at)) as string };
  };
  const readValue = (): JsonNode => {
    skipSpace();
    const start = at;
    const char = text[at];
    if (char === '"') return readString();
    if (char === "{") {
      at++;
      const members: JsonObject["members"] = [];
      skipSpace();
      if (text[at] === "}") {
        at++;
        return { kind: "object", start, end: at, members };
      }
      for (;;) {
        skipSpace();
        const key = readString().value;
        skipSpace();
        at++; // colon
        members.push({ key, value: readValue() });
        skipSpace();
        if (text[at++] === "}") return { kind: "object", start, end: at, members };
      }
    }
    if (char === "[") {
      at++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[at] === "]") {
        at++;
        return { kind: "array", start, end: at, items };
      }
      for (;;) {
        items.push(readValue());
        skipSpace();
        if (text[at++] === "]") return { kind: "array", start, end: at, items };
      }
    }
    while (at < text.length && /[^\s,\]}]/.test(text[at]!)) at++;
    return { kind: "scalar", start, end: at };
  };
  return readValue();
}

export interface JsonStringEdit {
  /** Object keys from the root to an existing string value. */
  path: string[];
  value: string;
}

/**
 * Replaces existing string values at `path`s, in place, leaving every other byte alone; then
 * re-parses the result and checks that exactly those values changed (and nothing else did).
 * Throws `edit_not_isolated` when a path is missing, ambiguous (duplicated key) or not a string,
 * or when the re-parse shows any other difference.
 */
export function spliceJsonStrings(text: string, edits: JsonStringEdit[], file: string): string {
  const root = parseJsonSpans(text);
  const targets = edits.map((edit) => ({ edit, node: stringAt(root, edit.path, file) }));
  targets.sort((a, b) => b.node.start - a.node.start);
  let result = text;
  for (const { edit, node } of targets) {
    result = result.slice(0, node.start) + JSON.stringify(edit.value) + result.slice(node.end);
  }

  const expected = JSON.parse(stripBom(text)) as unknown;
  for (const edit of edits) setAt(expected, edit.path, edit.value);
  let actual: unknown;
  try {
    actual = JSON.parse(stripBom(result));
  } catch {
    actual = undefined;
  }
  if (!isDeepStrictEqual(actual, expected)) {
    throw new PromoterError("edit_not_isolated", `editing ${file} would change more than the values meant to change; no change made`);
  }
  return result;
}

function stringAt(root: JsonNode, path: string[], file: string): JsonString {
  let node: JsonNode = root;
  for (const key of path) {
    if (node.kind !== "object") throw notFound(path, file);
    const matches: JsonNode[] = node.members.filter((member) => member.key === key).map((member) => member.value);
    if (matches.length !== 1) throw notFound(path, file);
    node = matches[0]!;
  }
  if (node.kind !== "string") throw notFound(path, file);
  return node;
}

function notFound(path: string[], file: string): PromoterError {
  return new PromoterError("edit_not_isolated", `${file} has no single string at ${path.map((key) => JSON.stringify(key)).join(" → ")} to edit`);
}

function setAt(value: unknown, path: string[], newValue: string): void {
  let node = value as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = newValue;
}

