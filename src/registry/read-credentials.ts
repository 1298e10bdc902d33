import { PromoterError } from "../errors.js";

/** Names of the environment variables holding a registry username and password/token. */
export interface RegistryAuth {
  usernameEnv: string;
  passwordEnv: string;
}

export interface RegistryCredentials {
  username: string;
  password: string;
  /** How to name this credential in messages: the env var names, never the values. */
  label: string;
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
  if (auth === undefined) return undefined;
  const missing = [auth.usernameEnv, auth.passwordEnv].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new PromoterError(
      "credentials_missing",
      `credentials for registry ${registry} are configured to come from ${missing.join(" and ")}, ` +
        `but ${missing.length === 1 ? "that environment variable is" : "those environment variables are"} unset or empty; ` +
        `set ${missing.length === 1 ? "it" : "them"} in the app's environment`,
    );
  }
  return {
    username: env[auth.usernameEnv]!,
    password: env[auth.passwordEnv]!,
    label: `env ${auth.usernameEnv}/${auth.passwordEnv}`,
  };
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}
