import { PromoterError } from "../errors.js";
import { isLoopbackHost, registryHostname } from "./image-reference.js";
import { parseWwwAuthenticate, type AuthChallenge } from "./parse-www-authenticate.js";
import { basicAuthorization, describeCredential, type RegistryCredentials } from "./read-credentials.js";
import { invalidResponseError, parseRetryAfter, unavailableError } from "./registry-errors.js";
import { discardBody, readBody, send, type RegistryHttp } from "./registry-http.js";

const TOKEN_RESPONSE_LIMIT = 1024 * 1024;

/** What authorize() needs to know about the registry being talked to. */
export interface RegistryTarget {
  /** host[:port] */
  registry: string;
  repository: string;
  /** True when we talk plain http to the registry (loopback or insecure, after https failed). */
  insecure: boolean;
  credentials: RegistryCredentials | undefined;
}

/**
 * Answers a registry's 401 challenge with an Authorization header value:
 * Bearer → a pull token from the realm (anonymous, or with Basic credentials);
 * Basic → the configured credentials.
 */
export async function authorize(
  http: RegistryHttp,
  target: RegistryTarget,
  wwwAuthenticate: string | null,
): Promise<string> {
  const challenges = parseWwwAuthenticate(wwwAuthenticate);
  const bearer = challenges.find((challenge) => challenge.scheme === "bearer");
  if (bearer !== undefined) return `Bearer ${await fetchToken(http, target, bearer)}`;

  const basic = challenges.find((challenge) => challenge.scheme === "basic");
  if (basic !== undefined) {
    if (target.credentials === undefined) {
      throw unauthorizedError(target, `requires Basic credentials for ${target.repository} and none are configured`);
    }
    return basicAuthorization(target.credentials);
  }

  throw unauthorizedError(
    target,
    challenges.length === 0
      ? `answered 401 for ${target.repository} without a WWW-Authenticate challenge`
      : `asks for an unsupported authentication scheme (${challenges.map((c) => c.scheme).join(", ")}) for ${target.repository}`,
  );
}

/** `registry_unauthorized`, naming the registry and the credential used (never its value). */
export function unauthorizedError(target: RegistryTarget, what: string, status?: number): PromoterError {
  const credential = describeCredential(target.credentials);
  const hint =
    target.credentials === undefined
      ? `configure credentials for ${target.registry} (usernameEnv/passwordEnv) if the image is private`
      : target.credentials.check !== undefined
        ? `check that ${target.credentials.check} for ${target.repository}`
        : `check that ${target.credentials.label.replace(/^env /, "")} can pull ${target.repository}`;
  return new PromoterError(
    "registry_unauthorized",
    `registry ${target.registry} ${what} (${status === undefined ? "" : `HTTP ${status}; `}credential: ${credential}); ${hint}`,
    { retryable: false },
  );
}

async function fetchToken(http: RegistryHttp, target: RegistryTarget, challenge: AuthChallenge): Promise<string> {
  const realm = parseRealm(target, challenge.params["realm"]);
  const url = new URL(realm);
  if (challenge.params["service"] !== undefined) url.searchParams.set("service", challenge.params["service"]);
  url.searchParams.set("scope", `repository:${target.repository}:pull`);

  const headers: Record<string, string> = { Accept: "application/json" };
  if (target.credentials !== undefined) {
    if (!mayCarryCredentials(realm, target)) {
      throw new PromoterError(
        "registry_invalid_response",
        `registry ${target.registry} sends us for a token to ${realm.origin} over plain http; ` +
          `refusing to send credentials (${target.credentials.label}) there`,
        { retryable: false },
      );
    }
    headers["Authorization"] = basicAuthorization(target.credentials);
  }

  const endpoint = `token endpoint ${realm.origin}${realm.pathname} of registry ${target.registry}`;
  const response = await send(http, endpoint, url, { method: "GET", headers });
  if (response.status === 401 || response.status === 403) {
    await discardBody(response);
    throw unauthorizedError(
      target,
      `token endpoint ${realm.origin}${realm.pathname} refused a pull token for ${target.repository}`,
      response.status,
    );
  }
  if (response.status === 429 || response.status >= 500) {
    await discardBody(response);
    throw unavailableError(`${endpoint} answered HTTP ${response.status}`, {
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), http.now()),
    });
  }
  if (response.status !== 200) {
    await discardBody(response);
    throw invalidResponseError(`${endpoint} answered HTTP ${response.status}`);
  }

  const body = await readBody(http, endpoint, response, TOKEN_RESPONSE_LIMIT);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw invalidResponseError(`${endpoint} did not answer with JSON`);
  }
  const { token, access_token: accessToken } = (json ?? {}) as { token?: unknown; access_token?: unknown };
  const value = typeof token === "string" && token !== "" ? token : accessToken;
  if (typeof value !== "string" || value === "" || /[\s"\\]/.test(value)) {
    throw invalidResponseError(`${endpoint} answered without a usable "token" or "access_token"`);
  }
  return value;
}

function parseRealm(target: RegistryTarget, realm: string | undefined): URL {
  let url: URL | undefined;
  try {
    url = realm === undefined ? undefined : new URL(realm);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw invalidResponseError(`registry ${target.registry} sent a Bearer challenge without a valid http(s) realm`);
  }
  return url;
}

/**
 * Credentials go to a token realm over https, or over plain http only when we already talk
 * plain http to the registry (an insecure registry the deployment chose) and the realm is that
 * same host, or both are loopback (a registry and token server on this machine).
 */
function mayCarryCredentials(realm: URL, target: RegistryTarget): boolean {
  if (realm.protocol === "https:") return true;
  if (!target.insecure) return false;
  const registryHost = registryHostname(target.registry).toLowerCase();
  const realmHost = realm.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (realmHost === registryHost) return true;
  return isLoopbackHost(target.registry) && isLoopbackHost(realm.hostname);
}
