import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import semver from "semver";
import { planNpmBump, workspacePackageJsonPaths, type ConsumerFiles, type NpmBumpPlan } from "../consumers/plan-npm-bump.js";
import { isPromoterError } from "../errors.js";
import { registryUrl, waitForPublishedVersion } from "../npm/fetch-packument.js";
import { type CommandResult, UsageError } from "./command-result.js";

export const BUMP_USAGE = `Usage: release-promoter bump --dir DIR --package NAME --version X.Y.Z --registry URL [--json]
                          [--token-env VAR] [--wait SECONDS]

Applies the npm consumer edit of a release of NAME to the checkout DIR, as the app's bump PR
would: raises NAME's range in package.json and the workspaces' package.json files (keeping each
range's style), and brings package-lock.json to what npm writes (edited in place, or regenerated
with npm in a throwaway folder). WRITES the changed files and prints them with the range change.
The registry token, if one is needed, is read from the environment variable VAR (never passed as
an argument). --wait keeps checking the registry for the version that long (default: once).
--json prints the plan (outcome, method, from, summary, reason) and the files written.
Exit status: 0 changed or nothing to do, 1 refused, 2 bad usage.`;

export interface BumpOptions {
  dir: string;
  package: string;
  version: string;
  registry: string;
  tokenEnv?: string | undefined;
  waitSeconds?: number | undefined;
  json: boolean;
  /** Where --token-env is read (default process.env). */
  env?: Record<string, string | undefined>;
}

export type BumpJson = Omit<Extract<NpmBumpPlan, { outcome: "change" }>, "files"> | Exclude<NpmBumpPlan, { outcome: "change" }>;

const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
/** Folders never searched for workspace package.json files. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

/** Parses `bump`'s arguments; "help" for --help. Throws UsageError. */
export function parseBumpArgs(args: string[]): BumpOptions | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      dir: { type: "string" },
      package: { type: "string" },
      version: { type: "string" },
      registry: { type: "string" },
      "token-env": { type: "string" },
      wait: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const missing = (["dir", "package", "version", "registry"] as const).filter((key) => values[key] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((key) => `--${key}`).join(", ")}`);
  let waitSeconds: number | undefined;
  if (values.wait !== undefined) {
    waitSeconds = Number(values.wait);
    if (!/^\d+$/.test(values.wait) || waitSeconds > 3600) throw new UsageError("--wait must be a number of seconds from 0 to 3600");
  }
  return {
    dir: values.dir!,
    package: values.package!,
    version: values.version!,
    registry: values.registry!,
    tokenEnv: values["token-env"],
    waitSeconds,
    json: values.json,
  };
}

/** Plans the bump of DIR and writes the changed files. */
export async function runBump(options: BumpOptions): Promise<CommandResult<BumpJson & { files: string[] }>> {
  const { name, version } = validate(options);
  const token = readToken(options);
  const root = await readOptional(join(options.dir, "package.json"));
  if (root === undefined) throw new UsageError(`no package.json in ${options.dir}`);

  const files: ConsumerFiles = {};
  for (const path of workspacePackageJsonPaths(root, await packageJsonPaths(options.dir))) {
    const text = path === "package.json" ? root : await readOptional(join(options.dir, ...path.split(posix.sep)));
    if (text !== undefined) files[path] = text;
  }
  const lock = await readOptional(join(options.dir, "package-lock.json"));
  if (lock !== undefined) files["package-lock.json"] = lock;

  let plan: NpmBumpPlan;
  try {
    const published = await waitForPublishedVersion({
      registry: options.registry,
      token,
      name,
      version,
      ...(options.waitSeconds ? { wait: { timeoutMs: options.waitSeconds * 1000, maxDelayMs: 10_000 } } : {}),
    });
    plan = await planNpmBump(files, { name, version, published }, { registry: options.registry, token });
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    plan = { outcome: "refused", code: error.code, reason: error.message };
  }

  if (plan.outcome === "refused") return { exitCode: 1, stderr: `refused: ${plan.reason}\n`, json: { ...plan, files: [] } };
  if (plan.outcome === "noop") return { exitCode: 0, stdout: `no change: ${plan.reason}\n`, json: { ...plan, files: [] } };

  const written = Object.keys(plan.files).sort();
  for (const path of written) await writeFile(join(options.dir, ...path.split(posix.sep)), plan.files[path]!);
  const { files: _texts, ...rest } = plan;
  return {
    exitCode: 0,
    stdout: [`bumped ${name} to ${version} (from ${plan.from}; lockfile ${plan.method})`, `  ${plan.summary}`, ...written.map((path) => `wrote ${path}`), ""].join("\n"),
    json: { ...rest, files: written },
  };
}

function validate(options: BumpOptions): { name: string; version: string } {
  if (!NAME.test(options.package)) throw new UsageError(`--package ${JSON.stringify(options.package)} is not an npm package name`);
  if (semver.valid(options.version) === null || semver.clean(options.version) !== options.version) {
    throw new UsageError(`--version must be a strict SemVer version like 0.3.2, got ${JSON.stringify(options.version)}`);
  }
  try {
    registryUrl(options.registry);
  } catch (error) {
    throw new UsageError(`--registry: ${(error as Error).message}`);
  }
  return { name: options.package, version: options.version };
}

function readToken(options: BumpOptions): string | undefined {
  if (options.tokenEnv === undefined) return undefined;
  const token = (options.env ?? process.env)[options.tokenEnv];
  if (!token) throw new UsageError(`--token-env names ${options.tokenEnv}, which is not set`);
  return token;
}

/** Every package.json under `dir` (repo-relative, "/"-separated), skipping node_modules and .git. */
async function packageJsonPaths(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) await walk(join(current, entry.name));
      else if (entry.isFile() && entry.name === "package.json") found.push(relative(dir, join(current, entry.name)).split(sep).join(posix.sep));
    }
  };
  await walk(dir);
  return found;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}
