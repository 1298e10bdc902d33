/**
 * The npm registry client: reads a package's packument (`GET <registry>/<name>`, the full
 * document, as npm 11 reads it for installs) and waits, with bounded backoff, until a version is
 * published in it.
 *
 * Errors are mapped here, once: 404 and "not in the packument yet" are `package_version_missing`
 * (retryable: the publish job may be running), 401/403 `registry_unauthorized` naming the
 * registry and whether a token was sent (never the token), 429/5xx and network failures
 * `registry_unavailable` (Retry-After honoured), anything unreadable `registry_invalid_response`.
 */
import { PromoterError } from "../errors.js";
import { formatDuration, invalidResponseError, parseRetryAfter, unavailableError } from "../registry/registry-errors.js";
import { discardBody, readBody, send, type RegistryHttp } from "../registry/registry-http.js";
import { retryWithBackoff, type GiveUp } from "../registry/retry-with-backoff.js";

export interface PublishedVersion {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dist: { tarball: string; integrity: string };
  /**
   * The manifest fields npm copies into a package-lock.json entry for this version, as npm
   * writes them (see src/editors/package-lock.ts). Filled by waitForPublishedVersion; a
   * PublishedVersion made by hand may leave it out.
   */
  lockfileEntry?: Record<string, unknown>;
}

export interface RegistryOptions {
  /** e.g. https://registry.npmjs.org/ or https://npm.pkg.github.com/ */
  registry: string;
  /** The token's value, already read from the env var the config names. */
  token?: string | undefined;
  fetch?: typeof fetch;
}

export interface PackageWait {
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface WaitForPublishedVersionOptions extends RegistryOptions {
  name: string;
  version: string;
  /** Keep retrying a missing version / an unavailable registry for this long. Without it: one attempt. */
  wait?: PackageWait;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (info: { attempt: number; delayMs: number }) => void | Promise<void>;
  now?: () => number;
  /** Jitter source for the backoff (default Math.random). */
  random?: () => number;
  /** Per request, headers and body (default 30s). */
  requestTimeoutMs?: number;
}

/** Packuments of big packages run to tens of MiB; ours are small, but do not read without bound. */
const PACKUMENT_LIMIT = 64 * 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * Waits (bounded backoff, src/registry/retry-with-backoff.ts) until `version` of `name` is in the
 * packument; PromoterError("package_version_missing", retryable) after the wait.
 */
export async function waitForPublishedVersion(options: WaitForPublishedVersionOptions): Promise<PublishedVersion> {
  const { name, version } = options;
  if (!NAME.test(name)) throw new RangeError(`${JSON.stringify(name)} is not an npm package name`);
  const registry = registryUrl(options.registry);
  const now = options.now ?? Date.now;
  const http: RegistryHttp = {
    fetch: options.fetch ?? globalThis.fetch,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    now,
    requests: 0,
  };
  const target = `registry ${registry.href}`;
  const credential = options.token ? "the configured token" : "anonymous";

  const attempt = async (): Promise<PublishedVersion> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers["authorization"] = `Bearer ${options.token}`;
    const response = await send(http, target, packumentUrl(registry, name), { method: "GET", headers });
    if (response.status === 404) {
      await discardBody(response);
      throw missing(`${name} is not in ${registry.href} (HTTP 404${options.token ? "" : "; a private package needs a token"})`);
    }
    if (response.status === 401 || response.status === 403) {
      await discardBody(response);
      throw new PromoterError(
        "registry_unauthorized",
        `${target} answered HTTP ${response.status} for ${name} (credential: ${credential}); ` +
          (options.token ? "check that the token can read the package" : "configure a token for the registry if the package is private"),
      );
    }
    if (response.status === 429 || response.status >= 500) {
      await discardBody(response);
      throw unavailableError(`${target} answered HTTP ${response.status} for ${name}`, {
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
      });
    }
    if (response.status !== 200) {
      await discardBody(response);
      throw invalidResponseError(`${target} answered HTTP ${response.status} for ${name}`);
    }
    const packument = parsePackument(new TextDecoder().decode(await readBody(http, target, response, PACKUMENT_LIMIT)), target, name);
    const manifest = packument.versions?.[version];
    if (manifest === undefined) {
      const latest = packument["dist-tags"]?.["latest"];
      throw missing(`${name}@${version} is not in ${registry.href} yet${typeof latest === "string" ? ` (latest is ${latest})` : ""}`);
    }
    return publishedVersionOf(manifest, name, version, target);
  };

  return retryWithBackoff(attempt, {
    wait: options.wait,
    onWait: options.onWait === undefined ? undefined : ({ attempt: n, delayMs }) => options.onWait?.({ attempt: n, delayMs }),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now,
    ...(options.random ? { random: options.random } : {}),
    giveUp: ({ lastError, attempts, waitedMs }: GiveUp) => {
      const waited = `after ${attempts} ${attempts === 1 ? "attempt" : "attempts"} over ${formatDuration(waitedMs)}`;
      if (lastError.code === "package_version_missing") {
        return new PromoterError(
          "package_version_missing",
          `${lastError.message} ${waited}; check that the publish job ran and published ${name}@${version} to ${registry.href}, then push the tag again`,
          { retryable: true, cause: lastError },
        );
      }
      return unavailableError(`${lastError.message} ${waited}; retry later`, { cause: lastError });
    },
  });
}

function missing(message: string): PromoterError {
  return new PromoterError("package_version_missing", message, { retryable: true });
}

/** The registry as a URL ending in "/". */
export function registryUrl(registry: string): URL {
  let url: URL;
  try {
    url = new URL(registry);
  } catch {
    throw new RangeError(`${JSON.stringify(registry)} is not a registry URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new RangeError(`${registry} is not an http(s) registry URL`);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "";
  url.hash = "";
  return url;
}

/** `@acme/contracts` → `<registry>/@acme%2fcontracts`, as npm requests it. */
export function packumentUrl(registry: URL, name: string): URL {
  return new URL(name.replace("/", "%2f"), registry);
}

interface Packument {
  "dist-tags"?: Record<string, unknown>;
  versions?: Record<string, Record<string, unknown>>;
}

function parsePackument(text: string, target: string, name: string): Packument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalidResponseError(`${target} sent a packument for ${name} that is not JSON`);
  }
  if (!isObject(data) || (data["versions"] !== undefined && !isObject(data["versions"]))) {
    throw invalidResponseError(`${target} sent a packument for ${name} without a versions object`);
  }
  return data as Packument;
}

function publishedVersionOf(manifest: unknown, name: string, version: string, target: string): PublishedVersion {
  const invalid = (what: string): PromoterError => invalidResponseError(`${target} lists ${name}@${version} ${what}`);
  if (!isObject(manifest)) throw invalid("without a manifest");
  const dist = manifest["dist"];
  if (!isObject(dist) || typeof dist["tarball"] !== "string") throw invalid("without dist.tarball");
  const integrity = integrityOf(dist);
  if (integrity === undefined) throw invalid("without dist.integrity or dist.shasum");
  const dependencies = stringMap(manifest["dependencies"]);
  const peerDependencies = stringMap(manifest["peerDependencies"]);
  const optionalDependencies = stringMap(manifest["optionalDependencies"]);
  if (dependencies === null || peerDependencies === null || optionalDependencies === null) throw invalid("with a dependency map that is not name → range");
  return {
    name,
    version,
    dependencies: dependencies ?? {},
    ...(peerDependencies === undefined ? {} : { peerDependencies }),
    ...(optionalDependencies === undefined ? {} : { optionalDependencies }),
    dist: { tarball: dist["tarball"], integrity },
    lockfileEntry: lockfileEntryOf(manifest),
  };
}

/** sha512 from dist.integrity, or the sha1 npm derives from an old shasum. */
function integrityOf(dist: Record<string, unknown>): string | undefined {
  if (typeof dist["integrity"] === "string" && dist["integrity"] !== "") return dist["integrity"];
  if (typeof dist["shasum"] === "string" && /^[0-9a-f]{40}$/i.test(dist["shasum"])) {
    return `sha1-${Buffer.from(dist["shasum"], "hex").toString("base64")}`;
  }
  return undefined;
}

/**
 * What npm's arborist copies from a manifest into a lockfile entry (Shrinkwrap.metaFromNode with
 * metaFieldFromPkg): falsy values and empty objects dropped, a license object reduced to its type,
 * hasInstallScript derived from the install scripts.
 */
export function lockfileEntryOf(manifest: Record<string, unknown>): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  const copy = (key: string, value: unknown): void => {
    if (!value) return;
    if (key === "license" && isObject(value) && typeof value["type"] === "string") {
      entry[key] = value["type"];
      return;
    }
    if (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0) return;
    entry[key] = value;
  };
  for (const key of [
    "dependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "optionalDependencies",
    "acceptDependencies",
    "funding",
    "engines",
    "os",
    "cpu",
    "libc",
    "license",
    "bin",
    "deprecated",
    "workspaces",
  ]) {
    copy(key, manifest[key]);
  }
  copy("bundleDependencies", manifest["bundleDependencies"] ?? manifest["bundledDependencies"]);
  copy("hasShrinkwrap", manifest["_hasShrinkwrap"]);
  const scripts = isObject(manifest["scripts"]) ? manifest["scripts"] : {};
  copy("hasInstallScript", manifest["hasInstallScript"] === true || Boolean(scripts["preinstall"] || scripts["install"] || scripts["postinstall"]));
  return entry;
}

/** undefined when absent, null when not a map of strings. */
function stringMap(value: unknown): Record<string, string> | undefined | null {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every((range) => typeof range === "string")) return null;
  return value as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
