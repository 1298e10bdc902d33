import { createHash } from "node:crypto";
import { PromoterError, isPromoterError } from "../errors.js";
import { authorize, unauthorizedError, type RegistryTarget } from "./authorize.js";
import { isValidManifestReference, parseImageRepository } from "./image-reference.js";
import { MANIFEST_ACCEPT, acceptedManifestMediaType } from "./media-types.js";
import { obtainCredentials, providerTokenKey } from "./obtain-credentials.js";
import { sharedProviderTokens, type ProviderTokenCache } from "./provider-token-cache.js";
import { readCredentials, type RegistryAuth } from "./read-credentials.js";
import {
  formatDuration,
  invalidResponseError,
  parseRetryAfter,
  unavailableError,
} from "./registry-errors.js";
import { discardBody, readBody, type RegistryHttp } from "./registry-http.js";
import { retryWithBackoff, type GiveUp, type WaitInfo, type WaitOptions } from "./retry-with-backoff.js";
import { registryEndpoint, sendToRegistry, type RegistryEndpoint } from "./send-to-registry.js";

export type { RegistryAuth } from "./read-credentials.js";
export type { WaitInfo, WaitOptions } from "./retry-with-backoff.js";

export interface ResolveDigestOptions {
  /** Image repository as configured, e.g. "ghcr.io/acme/core-api". */
  image: string;
  /** The tag CI pushed (e.g. the commit sha), or a sha256 digest to verify. */
  reference: string;
  /**
   * The image's `registries.<host>` entry (registryConfigFor): Basic credentials for the token
   * endpoint or the registry, by env var name, and `insecure`. Every registry is tried over
   * https first; plain http only after a connection-level https failure, and only for loopback
   * hosts (127.0.0.0/8, localhost, [::1]) or with `insecure: true` (see send-to-registry.ts).
   */
  auth?: RegistryAuth | undefined;
  /** Where the env vars are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Where a provider's tokens are kept between resolutions (default: the process's cache). */
  providerTokens?: ProviderTokenCache;
  /** Keep retrying image_not_found / registry_unavailable for this long. Without it: one attempt. */
  wait?: WaitOptions;
  /** Called before each sleep, e.g. to show "waiting for image…" on the check run. */
  onWait?: (info: WaitInfo) => void | Promise<void>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Per request, headers and body (default 10s). */
  requestTimeoutMs?: number;
}

export interface ResolvedDigest {
  /** sha256:<64 lowercase hex>: of the index for a multi-arch image. */
  digest: string;
  mediaType: string;
  registry: string;
  repository: string;
  /** HTTP requests made, token requests and retries included. */
  requests: number;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Registries cap manifests at 4 MiB (distribution's default); we read no more. */
const MANIFEST_LIMIT = 4 * 1024 * 1024;
const ERROR_BODY_LIMIT = 64 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Resolves the digest of `image:reference` with the OCI distribution API: one HEAD of the
 * manifest asking for indexes first (a multi-arch image yields its index digest), answering a
 * Bearer or Basic challenge when the registry asks, and falling back to GET + sha256 of the
 * exact bytes when a registry omits Docker-Content-Digest. Not-found and unavailable are
 * retried with backoff within `wait`; everything else fails at once.
 */
export async function resolveDigest(options: ResolveDigestOptions): Promise<ResolvedDigest> {
  const { registry, repository } = parseImageRepository(options.image);
  const { reference } = options;
  if (!isValidManifestReference(reference)) {
    throw new Error(
      `image reference "${reference}" for ${options.image} is neither a valid tag nor a sha256 digest`,
    );
  }
  const env = options.env ?? process.env;
  const provider = options.auth?.provider;
  // Env var credentials are checked before any request; a provider's are fetched in the first attempt.
  const credentials = provider === undefined ? readCredentials(options.auth, env, registry) : undefined;
  const now = options.now ?? Date.now;
  const http: RegistryHttp = {
    fetch: options.fetch ?? globalThis.fetch,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    now,
    requests: 0,
  };
  const manifest: ManifestRequest = {
    http,
    endpoint: registryEndpoint(registry, options.auth?.insecure === true),
    target: { registry, repository, insecure: false, credentials },
    path: `/v2/${repository}/manifests/${reference}`,
    imageRef: `${options.image}${reference.startsWith("sha256:") ? "@" : ":"}${reference}`,
    reference,
    authorization: undefined,
  };

  const tokens = options.providerTokens ?? sharedProviderTokens;
  const attempt = async (): Promise<{ digest: string; mediaType: string }> => {
    if (provider === undefined) return resolveOnce(manifest);
    // Each attempt asks the cache, so a long wait for the image never outlives its token.
    manifest.target.credentials = await obtainCredentials(options.auth, env, registry, { http, tokens });
    try {
      return await resolveOnce(manifest);
    } catch (error) {
      // A token the registry refused is not offered again: the next resolution fetches a new one.
      if (isPromoterError(error) && error.code === "registry_unauthorized") tokens.forget(providerTokenKey(provider, registry));
      throw error;
    }
  };

  const found = await retryWithBackoff(attempt, {
    wait: options.wait,
    onWait: options.onWait,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now,
    giveUp: (giveUp) => giveUpError(manifest, options.wait?.timeoutMs ?? 0, giveUp),
  });
  return { ...found, registry, repository, requests: http.requests };
}

interface ManifestRequest {
  http: RegistryHttp;
  /** https, or plain http once a fallback to it got an answer (send-to-registry.ts). */
  endpoint: RegistryEndpoint;
  target: RegistryTarget;
  /** "/v2/<repository>/manifests/<reference>" */
  path: string;
  /** "ghcr.io/acme/core-api:<sha>" for messages. */
  imageRef: string;
  reference: string;
  /** Authorization obtained in an earlier attempt of this call, reused until refused. */
  authorization: string | undefined;
}

async function resolveOnce(manifest: ManifestRequest): Promise<{ digest: string; mediaType: string }> {
  const head = await requestManifest(manifest, "HEAD");
  const headMediaType = checkMediaType(manifest, head);
  const headDigest = head.headers.get("docker-content-digest");
  await discardBody(head);
  if (headDigest !== null) {
    return { digest: checkDigest(manifest, headDigest.trim(), "HEAD"), mediaType: headMediaType };
  }

  // Some registries omit the digest header on HEAD: hash exactly the bytes they serve.
  const get = await requestManifest(manifest, "GET");
  let mediaType: string;
  try {
    mediaType = checkMediaType(manifest, get);
  } catch (error) {
    await discardBody(get);
    throw error;
  }
  const declared = get.headers.get("docker-content-digest");
  const body = await readBody(manifest.http, registryName(manifest), get, MANIFEST_LIMIT);
  const computed = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  if (declared !== null && declared.trim() !== computed) {
    throw invalidResponseError(
      `registry ${manifest.target.registry} served ${manifest.imageRef} with Docker-Content-Digest ` +
        `"${truncate(declared.trim())}", but the manifest bytes hash to ${computed}`,
    );
  }
  return { digest: checkDigest(manifest, computed, "GET"), mediaType };
}

/** The manifest response with status 200, after answering a challenge if there was one. */
async function requestManifest(manifest: ManifestRequest, method: "HEAD" | "GET"): Promise<Response> {
  const { http, target, endpoint } = manifest;
  const request = async (): Promise<Response> => {
    const response = await sendToRegistry(http, endpoint, manifest.path, {
      method,
      headers: {
        Accept: MANIFEST_ACCEPT,
        ...(manifest.authorization === undefined ? {} : { Authorization: manifest.authorization }),
      },
    });
    // What authorize() checks before sending credentials to a plain-http token realm.
    target.insecure = endpoint.scheme === "http";
    return response;
  };

  let response = await request();
  if (response.status === 401) {
    await discardBody(response);
    // No credential yet, or one from an earlier attempt that has expired: answer the challenge.
    manifest.authorization = await authorize(http, target, response.headers.get("www-authenticate"));
    response = await request();
  }

  const { status } = response;
  if (status === 200) return response;
  if (status === 401 || status === 403) {
    await discardBody(response);
    manifest.authorization = undefined;
    throw unauthorizedError(target, `refused access to ${manifest.imageRef}`, status);
  }
  if (status === 404) {
    const codes = method === "GET" ? await errorCodes(manifest, response) : "";
    await discardBody(response);
    throw new PromoterError(
      "image_not_found",
      `image ${manifest.imageRef} not found in registry ${target.registry} (HTTP 404${codes}); did CI push it?`,
      { retryable: true },
    );
  }
  await discardBody(response);
  if (status === 429 || status >= 500) {
    throw unavailableError(`registry ${target.registry} answered HTTP ${status} for ${manifest.imageRef}`, {
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), http.now()),
    });
  }
  throw invalidResponseError(
    `registry ${target.registry} answered ${method} of ${manifest.imageRef} with unexpected HTTP ${status}`,
  );
}

function checkMediaType(manifest: ManifestRequest, response: Response): string {
  const contentType = response.headers.get("content-type");
  const mediaType = acceptedManifestMediaType(contentType);
  if (mediaType === undefined) {
    throw invalidResponseError(
      `registry ${manifest.target.registry} served ${manifest.imageRef} as "${truncate(contentType ?? "(no Content-Type)")}", ` +
        `which is not an OCI or Docker v2 image manifest or index`,
    );
  }
  return mediaType;
}

function checkDigest(manifest: ManifestRequest, digest: string, method: "HEAD" | "GET"): string {
  if (!DIGEST_RE.test(digest)) {
    throw invalidResponseError(
      `registry ${manifest.target.registry} answered ${method} of ${manifest.imageRef} with Docker-Content-Digest ` +
        `"${truncate(digest)}", which is not sha256:<64 lowercase hex>`,
    );
  }
  if (manifest.reference.startsWith("sha256:") && digest !== manifest.reference) {
    throw invalidResponseError(
      `registry ${manifest.target.registry} answered ${manifest.imageRef} with a different digest ${digest}`,
    );
  }
  return digest;
}

function giveUpError(manifest: ManifestRequest, timeoutMs: number, giveUp: GiveUp): PromoterError {
  const { lastError } = giveUp;
  const waited =
    giveUp.retryAfterMs === undefined
      ? `after ${formatDuration(timeoutMs)}`
      : `after ${formatDuration(giveUp.waitedMs)} (the registry asked to retry in ${formatDuration(giveUp.retryAfterMs)}, beyond the ${formatDuration(timeoutMs)} wait)`;
  const message =
    lastError.code === "image_not_found"
      ? `no image ${manifest.imageRef} ${waited}; did CI push it? (registry ${manifest.target.registry} answered 404)`
      : `registry ${manifest.target.registry} still unavailable ${waited} while resolving ${manifest.imageRef}: ${lastError.message}`;
  return new PromoterError(lastError.code, message, { retryable: lastError.retryable, cause: lastError });
}

/** The distribution error codes of an error body (MANIFEST_UNKNOWN, NAME_UNKNOWN), for messages. */
async function errorCodes(manifest: ManifestRequest, response: Response): Promise<string> {
  try {
    const body = await readBody(manifest.http, registryName(manifest), response, ERROR_BODY_LIMIT);
    const json = JSON.parse(new TextDecoder().decode(body)) as { errors?: Array<{ code?: unknown }> };
    const codes = (json.errors ?? [])
      .map((error) => error.code)
      .filter((code): code is string => typeof code === "string" && /^[A-Z_]{1,64}$/.test(code));
    return codes.length > 0 ? ` ${codes.join(", ")}` : "";
  } catch {
    return ""; // the status already says "not found"; the body only adds detail
  }
}

function registryName(manifest: ManifestRequest): string {
  return `registry ${manifest.target.registry}`;
}

/** Registry-controlled text in our messages stays short and printable. */
function truncate(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 100 ? `${printable.slice(0, 100)}…` : printable;
}
