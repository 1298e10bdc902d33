/**
 * The environment and config of the npm child process that regenerates a lockfile. It holds no
 * secret of the app: the child environment is built from an allow-list, never from the parent's
 * environment wholesale (no GITHUB_TOKEN, PRIVATE_KEY, WEBHOOK_SECRET, registry passwords...),
 * and npm reads no config but ours (HOME, userconfig and globalconfig point into the throwaway
 * folder). The registry token, when there is one, reaches npm only as an environment variable
 * that the folder's .npmrc names (`${RELEASE_PROMOTER_NPM_TOKEN}`); its value is written to no
 * file.
 */
import { dirname, join } from "node:path";

/** The variable the .npmrc names for the registry token. */
export const NPM_TOKEN_VARIABLE = "RELEASE_PROMOTER_NPM_TOKEN";

/** Passed through from the parent when set: how to reach the registry, nothing else. */
const PASS_THROUGH = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "NODE_EXTRA_CA_CERTS"] as const;

export interface NpmFolder {
  /** The throwaway project folder (cwd of npm). */
  dir: string;
  /** An empty HOME, where npm's user config would be. */
  home: string;
  /** npm's cache for this run only (private packuments never outlive it). */
  cache: string;
  /** Empty files standing for npm's user and global config (npm refuses one file for both). */
  userConfig: string;
  globalConfig: string;
}

/** The whole environment of the npm child. */
export function npmChildEnvironment(
  folder: NpmFolder,
  options: { token?: string | undefined; parentEnv?: Record<string, string | undefined> } = {},
): Record<string, string> {
  const parent = options.parentEnv ?? process.env;
  const env: Record<string, string> = {
    // The node running the app first, so npm's `#!/usr/bin/env node` finds the same one.
    PATH: [dirname(process.execPath), parent["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"].join(":"),
    HOME: folder.home,
    npm_config_cache: folder.cache,
    npm_config_userconfig: folder.userConfig,
    npm_config_globalconfig: folder.globalConfig,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    npm_config_loglevel: "warn",
  };
  for (const name of PASS_THROUGH) {
    const value = parent[name];
    if (value !== undefined && value !== "") env[name] = value;
  }
  if (options.token) env[NPM_TOKEN_VARIABLE] = options.token;
  return env;
}

/**
 * The folder's .npmrc: the registry, the token by reference for that registry's host and path
 * (npm's "nerf dart"), and whether to keep `resolved` out of the lockfile as the consumer does.
 */
export function npmrcText(registry: URL, options: { token: boolean; omitLockfileRegistryResolved: boolean }): string {
  const lines = [`registry=${registry.href}`];
  if (options.token) lines.push(`//${registry.host}${registry.pathname}:_authToken=\${${NPM_TOKEN_VARIABLE}}`);
  if (options.omitLockfileRegistryResolved) lines.push("omit-lockfile-registry-resolved=true");
  return `${lines.join("\n")}\n`;
}

/** The npm beside the running node (what `npm` means on the app's machine), unless one is given. */
export function defaultNpmPath(): string {
  return join(dirname(process.execPath), "npm");
}
