import type { ScriptedRequest, ScriptedResponse } from "./scripted-fetch.js";

/** Named builders for scripted registry conversations (ghcr.io-shaped). */
export const REGISTRY = "ghcr.io";
export const IMAGE = "ghcr.io/acme/core-api";
export const SHA = "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a";
export const DIGEST = `sha256:${"ab".repeat(32)}`;
export const TOKEN = "eyJ.scripted-registry-token.sig";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** Written out, not imported: the order (indexes first) is part of the contract. */
export const ACCEPT =
  "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
  "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

export const TOKEN_REALM = "https://ghcr.io/token";

export function manifestUrl(reference: string, base = "https://ghcr.io/v2/acme/core-api"): string {
  return `${base}/manifests/${reference}`;
}

export function mockManifestHead(
  reference: string,
  respond: ScriptedRequest["respond"],
  options: { authorization?: string | null; url?: string; times?: number } = {},
): ScriptedRequest {
  return {
    method: "HEAD",
    url: options.url ?? manifestUrl(reference),
    headers: { accept: ACCEPT, authorization: options.authorization ?? null },
    respond,
    ...(options.times === undefined ? {} : { times: options.times }),
  };
}

export function mockManifestGet(
  reference: string,
  respond: ScriptedRequest["respond"],
  options: { authorization?: string | null } = {},
): ScriptedRequest {
  return {
    method: "GET",
    url: manifestUrl(reference),
    headers: { accept: ACCEPT, authorization: options.authorization ?? null },
    respond,
  };
}

export function mockTokenRequest(
  respond: ScriptedResponse,
  options: { authorization?: string | null; url?: string } = {},
): ScriptedRequest {
  return {
    method: "GET",
    url:
      options.url ??
      `${TOKEN_REALM}?service=ghcr.io&scope=${encodeURIComponent("repository:acme/core-api:pull")}`,
    headers: { authorization: options.authorization ?? null },
    respond,
  };
}

export function manifestFound(digest: string, mediaType = OCI_INDEX): ScriptedResponse {
  return { status: 200, headers: { "content-type": mediaType, "docker-content-digest": digest } };
}

export function manifestUnknown(): ScriptedResponse {
  return {
    status: 404,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }),
  };
}

export function bearerChallenge(extra = ""): ScriptedResponse {
  return {
    status: 401,
    headers: {
      "www-authenticate": `Bearer realm="${TOKEN_REALM}",service="ghcr.io",scope="repository:acme/core-api:pull"${extra}`,
    },
    body: JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }),
  };
}

export function basicChallenge(): ScriptedResponse {
  return { status: 401, headers: { "www-authenticate": 'Basic realm="Registry Realm"' } };
}

export function tokenGranted(field: "token" | "access_token" = "token", token = TOKEN): ScriptedResponse {
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ [field]: token, expires_in: 300 }) };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** A rejected fetch as Node's fetch (undici) rejects: TypeError("fetch failed") with a coded cause. */
export function fetchFailed(code: string, message: string): Error {
  return Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(message), { code }) });
}

/** Our TLS ClientHello answered by a plain-http server. */
export function plainHttpOverTls(): Error {
  return fetchFailed(
    "ERR_SSL_WRONG_VERSION_NUMBER",
    "C0D7F2A1E57F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:",
  );
}

/** A TLS server whose certificate is signed by a CA this process does not trust. */
export function untrustedCertificate(): Error {
  return fetchFailed("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate");
}

export function connectionRefused(address = "127.0.0.1:443"): Error {
  return fetchFailed("ECONNREFUSED", `connect ECONNREFUSED ${address}`);
}

export function connectionReset(): Error {
  return fetchFailed("ECONNRESET", "read ECONNRESET");
}
