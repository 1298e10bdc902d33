import type { ProviderToken } from "../provider-token-cache.js";
import { discardBody, readBody, send, type RegistryHttp } from "../registry-http.js";
import { invalidResponseError } from "../registry-errors.js";
import { errorName, mayRecover, providerInvalid, providerNoCredentials, providerRefused, providerUnavailable } from "./provider-failure.js";

/** The audience of Entra tokens for Azure Container Registry (works where ARM-audience tokens are disabled). */
const ACR_SCOPE = "https://containerregistry.azure.net/.default";
/** The user name that tells ACR's token endpoint the password is an ACR refresh token (as `az acr login` does). */
export const ACR_TOKEN_USERNAME = "00000000-0000-0000-0000-000000000000";
const EXCHANGE_RESPONSE_LIMIT = 1024 * 1024;

/**
 * An Azure Container Registry pull credential, as `az acr login` gets one: an Entra access
 * token from DefaultAzureCredential (env client secret or certificate, workload identity,
 * managed identity, the Azure CLI), exchanged at https://<registry>/oauth2/exchange for an ACR
 * refresh token, which is then the password of user 00000000-0000-0000-0000-000000000000 at the
 * registry's token realm. It lasts as its `exp` says (3 hours); the SDK honours
 * AZURE_AUTHORITY_HOST and the AZURE_* client variables.
 */
export async function fetchAcrToken(registry: string, http: RegistryHttp): Promise<ProviderToken> {
  const { DefaultAzureCredential } = await import("@azure/identity");
  let entra;
  try {
    // The whole chain (discovery, a managed identity probe, the token) within 3 request timeouts.
    entra = await new DefaultAzureCredential().getToken(ACR_SCOPE, { abortSignal: AbortSignal.timeout(3 * http.requestTimeoutMs) });
  } catch (error) {
    throw entraFailure(registry, error);
  }
  const refreshToken = await exchange(registry, http, entra.token);
  return { username: ACR_TOKEN_USERNAME, password: refreshToken, expiresAt: jwtExpiry(refreshToken) ?? entra.expiresOnTimestamp };
}

async function exchange(registry: string, http: RegistryHttp, accessToken: string): Promise<string> {
  const url = new URL(`https://${registry}/oauth2/exchange`);
  const endpoint = `token exchange ${url.origin}${url.pathname} of registry ${registry}`;
  const response = await send(http, endpoint, url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({ grant_type: "access_token", service: registry, access_token: accessToken }).toString(),
  });
  const what = `${endpoint} answered HTTP ${response.status}`;
  if (response.status === 401 || response.status === 403) {
    await discardBody(response);
    throw providerRefused("acr", registry, `${what} to the Entra token`);
  }
  if (response.status === 429 || response.status >= 500) {
    await discardBody(response);
    throw providerUnavailable("acr", registry, what);
  }
  if (response.status !== 200) {
    await discardBody(response);
    throw invalidResponseError(what);
  }
  const body = await readBody(http, endpoint, response, EXCHANGE_RESPONSE_LIMIT);
  let refreshToken: unknown;
  try {
    ({ refresh_token: refreshToken } = JSON.parse(new TextDecoder().decode(body)) as { refresh_token?: unknown });
  } catch {
    refreshToken = undefined;
  }
  if (typeof refreshToken !== "string" || !/^[A-Za-z0-9._~+/=-]+$/.test(refreshToken)) {
    throw providerInvalid("acr", registry, `${endpoint} answered without a usable refresh_token`);
  }
  return refreshToken;
}

/** The `exp` of a JWT (ms), read without verifying: only to know when to fetch again. */
function jwtExpiry(token: string): number | undefined {
  try {
    const { exp } = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function entraFailure(registry: string, error: unknown): Error {
  const name = errorName(error);
  if (name === "CredentialUnavailableError" || name === "AggregateAuthenticationError") {
    return providerNoCredentials(
      "acr",
      registry,
      "give the app a managed or workload identity, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)",
    );
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  const status = typeof statusCode === "number" ? statusCode : undefined;
  const what = `Microsoft Entra refused a token with ${name}${status === undefined ? "" : ` (HTTP ${status})`}`;
  if (mayRecover(error, status)) return providerUnavailable("acr", registry, what.replace("refused a token", "failed"));
  return providerRefused(
    "acr",
    registry,
    what,
    "check the credential DefaultAzureCredential uses (AZURE_TENANT_ID, AZURE_CLIENT_ID and its secret or certificate, the workload or managed identity)",
  );
}
