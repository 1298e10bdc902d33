/**
 * Regenerates a package-lock.json with real npm: `npm install --package-lock-only --ignore-scripts
 * --no-audit --no-fund` in a throwaway folder holding only the package.json files, the old
 * lockfile and an .npmrc naming the registry (see npm-environment.ts for what the child sees).
 * The folder is removed afterwards, whatever happened.
 *
 * Failures are `npm_failed`, with npm's last lines of output (the token never appears: it is not
 * in any file or argument, and is masked in output all the same); retryable when npm timed out
 * or reported a network/registry error.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { PromoterError } from "../errors.js";
import { registryUrl } from "./fetch-packument.js";
import { defaultNpmPath, npmChildEnvironment, npmrcText, type NpmFolder } from "./npm-environment.js";

export interface RegenerateLockfileOptions {
  registry: string;
  token?: string | undefined;
  /** The npm executable (default: the npm beside the running node). */
  npmPath?: string | undefined;
  /** Where the throwaway folder is made (default: the OS temp dir). */
  workDir?: string | undefined;
  /** Kill npm after this long (default 5 minutes). */
  timeoutMs?: number | undefined;
  /** Write no `resolved` for registry packages, as the consumer's lockfile does. */
  omitLockfileRegistryResolved?: boolean;
  /** The app's environment, from which only an allow-list is passed (default process.env). */
  parentEnv?: Record<string, string | undefined>;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const OUTPUT_LIMIT = 4 * 1024 * 1024;
/** The only files placed in the folder: package.json files and the lockfile, at repo-relative paths. */
const ALLOWED_FILE = /^(?:[A-Za-z0-9@._+-][A-Za-z0-9@._+ -]*\/)*(?:package\.json|package-lock\.json)$/;
const NETWORK_FAILURE = /\b(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|E429|E5\d\d|socket hang up)\b/;

/**
 * Runs npm over `files` (repo-relative path → text: package.json, package-lock.json and the
 * workspaces' package.json files) and returns the package-lock.json npm wrote.
 */
export async function regenerateLockfile(files: Record<string, string>, options: RegenerateLockfileOptions): Promise<string> {
  for (const path of Object.keys(files)) {
    if (!ALLOWED_FILE.test(path) || path.split("/").some((segment) => segment === "." || segment === ".." || segment === "node_modules")) {
      throw new RangeError(`${JSON.stringify(path)} is not a package.json or package-lock.json path inside the repository`);
    }
  }
  if (files["package.json"] === undefined) throw new RangeError("regenerateLockfile needs the root package.json");
  const registry = registryUrl(options.registry);

  const root = await mkdtemp(join(options.workDir ?? tmpdir(), "release-promoter-npm-"));
  const folder: NpmFolder = {
    dir: join(root, "project"),
    home: join(root, "home"),
    cache: join(root, "cache"),
    userConfig: join(root, "home", ".npmrc"),
    globalConfig: join(root, "global-npmrc"),
  };
  try {
    await Promise.all([mkdir(folder.dir), mkdir(folder.home), mkdir(folder.cache)]);
    await Promise.all([writeFile(folder.userConfig, ""), writeFile(folder.globalConfig, "")]);
    for (const [path, text] of Object.entries(files)) {
      const target = join(folder.dir, ...path.split(posix.sep));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    await writeFile(
      join(folder.dir, ".npmrc"),
      npmrcText(registry, { token: Boolean(options.token), omitLockfileRegistryResolved: options.omitLockfileRegistryResolved ?? false }),
    );
    const env = npmChildEnvironment(folder, { token: options.token, ...(options.parentEnv ? { parentEnv: options.parentEnv } : {}) });
    await runNpm(options.npmPath ?? npmExecutable(), folder.dir, env, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.token);
    try {
      return await readFile(join(folder.dir, "package-lock.json"), "utf8");
    } catch {
      throw new PromoterError("npm_failed", "npm install --package-lock-only finished without writing package-lock.json");
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export const NPM_ARGS = ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"] as const;

function npmExecutable(): string {
  const beside = defaultNpmPath();
  return existsSync(beside) ? beside : "npm";
}

function runNpm(npmPath: string, cwd: string, env: Record<string, string>, timeoutMs: number, token: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      npmPath,
      [...NPM_ARGS],
      { cwd, env, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: OUTPUT_LIMIT, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve();
          return;
        }
        // npm's "A complete log of this run can be found in: <folder>" names a folder that is about to go.
        const lines = mask(`${stderr}\n${stdout}`, token).trim().split("\n").filter((line) => !/A complete log of this run/.test(line));
        const output = lines.slice(-15).join("\n");
        const timedOut = error.killed === true && error.signal === "SIGKILL";
        const how = timedOut
          ? `did not finish within ${Math.round(timeoutMs / 1000)}s`
          : typeof error.code === "number"
            ? `exited with status ${error.code}`
            : `could not run (${error.code ?? error.message})`;
        reject(
          new PromoterError("npm_failed", `npm ${NPM_ARGS.join(" ")} ${how}${output ? `:\n${output}` : ""}`, {
            retryable: timedOut || NETWORK_FAILURE.test(output),
          }),
        );
      },
    );
  });
}

function mask(text: string, token: string | undefined): string {
  return token ? text.split(token).join("***") : text;
}
