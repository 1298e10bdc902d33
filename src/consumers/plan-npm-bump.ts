/**
 * The npm consumer edit of a contracts release: given a consumer's package.json files and
 * lockfile, the new files. Steps, each a named function:
 *
 *   raise the ranges (editors/package-json.ts, every package.json that declares the package)
 *   → decide what the lockfile needs (nothing, new ranges, a new version)
 *   → in place when the new version changes nothing else in the tree (editors/package-lock.ts),
 *     otherwise regenerate with real npm (npm/regenerate-lockfile.ts) from package.json files
 *     pinned to exactly the new version — as `npm install <name>@<version>` does — then write the
 *     consumer's ranges into the result.
 *
 * Refusals (non-retryable PromoterErrors) become `{ outcome: "refused" }`; retryable failures (npm
 * timed out, the registry failed) are thrown for the caller's retry and failure reporting.
 */
import semver from "semver";
import { isPromoterError, PromoterError } from "../errors.js";
import {
  type DependencyEdit,
  editPackageJson,
  parseJsonSpans,
  spliceJsonStrings,
} from "../editors/package-json.js";
import {
  editLockfileInPlace,
  inPlaceBlocker,
  localPackagePaths,
  lockedVersion,
  outOfSync,
  type Lockfile,
  type LockRanges,
  type Manifests,
  readLockfile,
  setLockfileRanges,
} from "../editors/package-lock.js";
import type { PublishedVersion, RegistryOptions } from "../npm/fetch-packument.js";
import { regenerateLockfile } from "../npm/regenerate-lockfile.js";
import { parseJsonText } from "../editors/json-text.js";

export interface ConsumerFiles {
  /** repo-relative path → text, for: the root package.json, package-lock.json if present, and every workspace package.json */
  [path: string]: string;
}

export type NpmBumpPlan =
  | {
      outcome: "change";
      /** Only the files that changed, full new text. */
      files: Record<string, string>;
      method: "in-place" | "regenerated" | "package-json-only";
      /** Previous locked or declared version. */
      from: string;
      summary: string;
    }
  /** Already at the version (ranges allow only >= it and the lock has it), or no dependency on the package. */
  | { outcome: "noop"; reason: string }
  | { outcome: "refused"; code: string; reason: string };

export interface NpmBumpChange {
  name: string;
  version: string;
  published: PublishedVersion;
}

export interface NpmBumpOptions extends RegistryOptions {
  npmPath?: string;
  workDir?: string;
  /** Kill a regenerating npm after this long (default 5 minutes). */
  npmTimeoutMs?: number;
  /** The app's environment; only an allow-list of it reaches npm (default process.env). */
  parentEnv?: Record<string, string | undefined>;
}

const ROOT = "package.json";
const LOCK = "package-lock.json";

export async function planNpmBump(files: ConsumerFiles, change: NpmBumpChange, options: NpmBumpOptions): Promise<NpmBumpPlan> {
  try {
    return await plan(files, change, options);
  } catch (error) {
    if (isPromoterError(error) && !error.retryable) return { outcome: "refused", code: error.code, reason: error.message };
    throw error;
  }
}

interface Declaration extends DependencyEdit {
  /** The package.json's path in the repository. */
  file: string;
  /** Its lockfile path: "" for the root, "packages/a" for a workspace. */
  lockPath: string;
}

async function plan(files: ConsumerFiles, change: NpmBumpChange, options: NpmBumpOptions): Promise<NpmBumpPlan> {
  const { name, version, published } = change;
  if (published.name !== name || published.version !== version) {
    throw new RangeError(`published is ${published.name}@${published.version}, not ${name}@${version}`);
  }
  if (files[ROOT] === undefined) throw new PromoterError("package_json_invalid", "the repository has no package.json at its root");

  // 1. Raise the ranges in every package.json.
  const manifestFiles = Object.keys(files).filter((path) => path === ROOT || path.endsWith(`/${ROOT}`)).sort(byDepth);
  const newTexts: Record<string, string> = {};
  const declarations: Declaration[] = [];
  const before: Manifests = {};
  const after: Manifests = {};
  for (const file of manifestFiles) {
    const text = files[file]!;
    const edit = editPackageJson(text, { name, version }, { file });
    const lockPath = file === ROOT ? "" : file.slice(0, -`/${ROOT}`.length);
    before[lockPath] = parseObject(text);
    after[lockPath] = edit.changed ? parseObject(edit.text) : before[lockPath]!;
    if (edit.changed) newTexts[file] = edit.text;
    for (const dependency of edit.dependencies) declarations.push({ ...dependency, file, lockPath });
  }
  if (declarations.length === 0) {
    const where = manifestFiles.length === 1 ? "package.json declares" : `none of the ${manifestFiles.length} package.json files (root and workspaces) declares`;
    return { outcome: "noop", reason: `${where} no dependency on ${name}` };
  }
  const ranges = rangesOf(declarations);
  const rangeNote = describeRanges(declarations);

  // 2. No lockfile: package.json only.
  const lockText = files[LOCK];
  if (lockText === undefined) {
    if (Object.keys(newTexts).length === 0) return { outcome: "noop", reason: `${rangeNote}; there is no package-lock.json` };
    return {
      outcome: "change",
      files: newTexts,
      method: "package-json-only",
      from: declaredFloor(declarations),
      summary: `${rangeNote}; no package-lock.json to update`,
    };
  }

  // 3. What the lockfile needs.
  const lock = readLockfile(lockText, LOCK);
  const servingVersions = [...new Set(declarations.map((d) => lockedVersion(lock, name, d.lockPath)))];
  const needsVersion = servingVersions.some((locked) => locked === undefined || semver.lt(locked, version, { loose: true }));
  const from = servingVersions.find((locked): locked is string => locked !== undefined) ?? declaredFloor(declarations);
  if (!needsVersion && Object.keys(newTexts).length === 0) {
    return { outcome: "noop", reason: `${rangeNote}; package-lock.json has ${name}@${from}` };
  }
  // Raising a range to a version below the one locked would leave the lock on the newer one while
  // saying "bumped" (npm itself would lower the lock): a bump never lowers a version.
  const newer = servingVersions.find((locked): locked is string => locked !== undefined && semver.gt(locked, version, { loose: true }));
  if (newer !== undefined) {
    return {
      outcome: "refused",
      code: "version_downgrade",
      reason: `package-lock.json has ${name}@${newer}, newer than ${version}; a bump never lowers a version (bump to ${newer} or later)`,
    };
  }

  const blocker = needsVersion
    ? inPlaceBlocker({ lock, name, released: published, manifests: before, ranges })
    : outOfSync(lock, before);
  if (blocker === undefined) {
    const edited = editLockfileInPlace(lockText, { name, released: published, setVersion: needsVersion, ranges, manifests: after }, LOCK);
    return changePlan(newTexts, edited.changed ? edited.text : undefined, "in-place", from, `${rangeNote}; ${lockNote(name, from, version, needsVersion, "edited in place")}`);
  }

  // 4. Regenerate with real npm.
  const regenerated = await regenerate(files, newTexts, lock, declarations, ranges, after, change, options, needsVersion);
  const note = lockNote(name, from, version, needsVersion, `regenerated with npm (${blocker})`);
  return changePlan(newTexts, regenerated === lockText ? undefined : regenerated, "regenerated", from, `${rangeNote}; ${note}`);
}

function changePlan(
  newTexts: Record<string, string>,
  lockText: string | undefined,
  method: "in-place" | "regenerated",
  from: string,
  summary: string,
): NpmBumpPlan {
  const files = { ...newTexts, ...(lockText === undefined ? {} : { [LOCK]: lockText }) };
  if (Object.keys(files).length === 0) return { outcome: "noop", reason: summary };
  return { outcome: "change", files, method, from, summary };
}

async function regenerate(
  files: ConsumerFiles,
  newTexts: Record<string, string>,
  lock: Lockfile,
  declarations: Declaration[],
  ranges: LockRanges,
  after: Manifests,
  change: NpmBumpChange,
  options: NpmBumpOptions,
  pin: boolean,
): Promise<string> {
  const { name, version } = change;
  for (const path of localPackagePaths(lock)) {
    if (lock.packages[path]?.["link"] === true) continue;
    if (files[`${path}/${ROOT}`] === undefined) {
      throw new PromoterError(
        "lockfile_unsupported",
        `package-lock.json has the local package ${path}, whose package.json was not read (outside the repository, or not a workspace); npm cannot regenerate the lockfile without it`,
      );
    }
  }

  // npm gets the new package.json files with the package pinned to exactly the new version, so
  // it resolves that version and no later one; the consumer's ranges go into the result after.
  const input: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) input[path] = newTexts[path] ?? text;
  if (pin) {
    for (const file of new Set(declarations.map((d) => d.file))) {
      const pins = declarations.filter((d) => d.file === file).map((d) => ({ path: [d.section, name], value: version }));
      input[file] = spliceJsonStrings(input[file]!, pins, file);
    }
  }
  const omitResolved = omitsRegistryResolved(lock);
  const text = await regenerateLockfile(input, {
    registry: options.registry,
    token: options.token,
    npmPath: options.npmPath,
    workDir: options.workDir,
    timeoutMs: options.npmTimeoutMs,
    omitLockfileRegistryResolved: omitResolved,
    ...(options.parentEnv ? { parentEnv: options.parentEnv } : {}),
  });
  const result = pin ? setLockfileRanges(text, name, ranges, after, LOCK) : text;

  const regenerated = readLockfile(result, LOCK);
  if (regenerated.lockfileVersion !== lock.lockfileVersion) {
    throw new PromoterError("npm_failed", `npm rewrote package-lock.json from lockfileVersion ${lock.lockfileVersion} to ${regenerated.lockfileVersion}; no change made`);
  }
  for (const d of declarations) {
    const locked = lockedVersion(regenerated, name, d.lockPath);
    if (locked === undefined || (pin && locked !== version)) {
      throw new PromoterError(
        "npm_failed",
        `npm wrote ${name}@${locked ?? "(nothing)"} for ${d.file}, not ${version}; no change made`,
      );
    }
  }
  return result;
}

/** True when the consumer's lockfile has registry packages and none with `resolved` (npm's omit-lockfile-registry-resolved). */
function omitsRegistryResolved(lock: Lockfile): boolean {
  const installed = Object.entries(lock.packages).filter(
    ([path, entry]) => path.includes("node_modules/") && entry["link"] !== true && typeof entry["integrity"] === "string",
  );
  return installed.length > 0 && installed.every(([, entry]) => entry["resolved"] === undefined);
}

function rangesOf(declarations: Declaration[]): LockRanges {
  const ranges: LockRanges = {};
  for (const d of declarations) (ranges[d.lockPath] ??= {})[d.section] = d.to;
  return ranges;
}

function describeRanges(declarations: Declaration[]): string {
  return declarations
    .map((d) => {
      const where = `${d.section} of ${d.file}`;
      if (d.from !== d.to) return `${JSON.stringify(d.from)} → ${JSON.stringify(d.to)} in ${where}`;
      return `${where} kept: ${d.decision.kind === "keep" ? d.decision.reason : JSON.stringify(d.from)}`;
    })
    .join("; ");
}

function lockNote(name: string, from: string, version: string, setVersion: boolean, how: string): string {
  return setVersion ? `package-lock.json ${name} ${from} → ${version}, ${how}` : `package-lock.json ranges updated, ${how}`;
}

/** The lowest version the first declared range admitted: what the consumer had without a lockfile. */
function declaredFloor(declarations: Declaration[]): string {
  for (const d of declarations) {
    try {
      const floor = semver.minVersion(d.from, { loose: true });
      if (floor !== null) return floor.version;
    } catch {
      // a dist-tag: no floor
    }
  }
  return declarations[0]!.from;
}

function parseObject(text: string): Record<string, unknown> {
  parseJsonSpans(text); // already validated by the editor; throws on anything else
  return parseJsonText(text) as Record<string, unknown>;
}

function byDepth(a: string, b: string): number {
  return a.split("/").length - b.split("/").length || (a < b ? -1 : a > b ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Which files to read.

/**
 * Which package.json paths a consumer needs read: the root plus its workspaces' (npm's
 * `workspaces` globs — an array, or `{ packages: [...] }` — resolved against a list of
 * repository paths, with `*`, `**`, `?`, `{a,b}` and `!negations`). Never under node_modules.
 */
export function workspacePackageJsonPaths(rootPackageJson: string, repositoryPaths: string[]): string[] {
  let root: unknown;
  try {
    root = parseJsonText(rootPackageJson);
  } catch {
    return [ROOT];
  }
  const field = typeof root === "object" && root !== null ? (root as Record<string, unknown>)["workspaces"] : undefined;
  const patterns = Array.isArray(field)
    ? field
    : typeof field === "object" && field !== null && Array.isArray((field as Record<string, unknown>)["packages"])
      ? ((field as Record<string, unknown>)["packages"] as unknown[])
      : [];
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const pattern of patterns) {
    if (typeof pattern !== "string" || pattern.trim() === "") continue;
    const negated = pattern.startsWith("!");
    (negated ? exclude : include).push(globToRegExp(normalizeGlob(negated ? pattern.slice(1) : pattern)));
  }
  const found = repositoryPaths
    .filter((path) => path.endsWith(`/${ROOT}`) && !path.split("/").includes("node_modules"))
    .map((path) => ({ path, dir: path.slice(0, -`/${ROOT}`.length) }))
    .filter(({ dir }) => include.some((re) => re.test(dir)) && !exclude.some((re) => re.test(dir)))
    .map(({ path }) => path);
  return [ROOT, ...[...new Set(found)].sort()];
}

function normalizeGlob(pattern: string): string {
  return pattern.trim().replace(/^\.\//, "").replace(/\/+$/, "").replace(/\/package\.json$/, "");
}

/** A glob over directory paths: `*` and `?` within a segment, `**` across segments, `{a,b}`. */
function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      source += slash ? "(?:[^/]+/)*" : ".*";
      i += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "{") {
      const close = glob.indexOf("}", i);
      if (close < 0) source += "\\{";
      else {
        source += `(?:${glob
          .slice(i + 1, close)
          .split(",")
          .map((part) => part.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))
          .join("|")})`;
        i = close;
      }
    } else source += char.replace(/[.+^$()|[\]\\{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
