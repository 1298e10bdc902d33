import { PromoterError } from "../errors.js";
import type { RegistryProvider } from "./registry-providers.js";

/**
 * A `registries.<host>` entry of the config: the names of the environment variables holding a
 * username and password/token (both or neither: neither is anonymous), and whether the registry
 * may be spoken to over plain http.
 */
export interface RegistryAuth {
  usernameEnv?: string | undefined;
  passwordEnv?: string | undefined;
  /** registries.<host>.insecure: after https fails at connection level, try plain http. */
  insecure?: boolean | undefined;
  /** registries.<host>.provider: credentials that expire, fetched by obtainCredentials(). */
  provider?: RegistryProvider | undefined;
}

export interface RegistryCredentials {
  username: string;
  password: string;
  /** How to name this credential in messages: the env var names or the provider, never the values. */
  label: string;
  /** What to check when the registry refuses it (default: that the env vars' credential can pull). */
  check?: string;
}

/** "anonymous" or "GHCR_USER/GHCR_TOKEN": what error messages say was used. */
export function describeCredential(credentials: RegistryCredentials | undefined): string {
  return credentials === undefined ? "anonymous" : credentials.label;
}

/**
 * Reads the credentials the config names. An unset or empty variable is a deployment error
 * (`credentials_missing`), reported before any request is made.
 */
export function readCredentials(
  auth: RegistryAuth | undefined,
  env: Record<string, string | undefined>,
  registry: string,
): RegistryCredentials | undefined {
  if (auth === undefined || (auth.usernameEnv === undefined && auth.passwordEnv === undefined)) return undefined;
  if (auth.usernameEnv === undefined || auth.passwordEnv === undefined) {
    // The config schema refuses this; never guess which half was meant.
    throw new PromoterError(
      "config_invalid",
      `registries.${registry} sets ${auth.usernameEnv === undefined ? "passwordEnv without usernameEnv" : "usernameEnv without passwordEnv"}; ` +
        `set both, or neither for anonymous pulls`,
    );
  }
  const { usernameEnv, passwordEnv } = auth;
  const missing = [usernameEnv, passwordEnv].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new PromoterError(
      "credentials_missing",
      `credentials for registry ${registry} are configured to come from ${missing.join(" and ")}, ` +
        `but ${missing.length === 1 ? "that environment variable is" : "those environment variables are"} unset or empty; ` +
        `set ${missing.length === 1 ? "it" : "them"} in the app's environment`,
    );
  }
  return {
    username: env[usernameEnv]!,
    password: env[passwordEnv]!,
    label: `env ${usernameEnv}/${passwordEnv}`,
  };
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}
