import type { ProviderToken } from "../provider-token-cache.js";
import type { RegistryHttp } from "../registry-http.js";
import { errorName, mayRecover, providerInvalid, providerNoCredentials, providerRefused, providerUnavailable } from "./provider-failure.js";

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

/**
 * A Google Artifact Registry (or Container Registry) pull credential: an OAuth access token of
 * Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, the
 * gcloud file, the metadata server), scope cloud-platform, used with user oauth2accesstoken.
 */
export async function fetchGarToken(registry: string, http: RegistryHttp): Promise<ProviderToken> {
  const { GoogleAuth } = await import("google-auth-library");
  // Without a projectId, ADC would look one up first (env, the gcloud CLI, the metadata server,
  // Cloud Resource Manager): a pull token does not need one, and the token requests never send it.
  // Each token request gets the resolution's request timeout.
  const auth = new GoogleAuth({
    scopes: [CLOUD_PLATFORM],
    projectId: "release-promoter-pull-token",
    clientOptions: { transporterOptions: { timeout: http.requestTimeoutMs } },
  });
  let client;
  try {
    client = await auth.getClient();
  } catch (error) {
    throw garFailure(registry, error);
  }
  let token: string | null | undefined;
  try {
    ({ token } = await client.getAccessToken());
  } catch (error) {
    throw garFailure(registry, error);
  }
  const expiresAt = client.credentials.expiry_date;
  if (typeof token !== "string" || token === "" || typeof expiresAt !== "number") {
    throw providerInvalid("gar", registry, "Application Default Credentials gave no access token with an expiry");
  }
  return { username: "oauth2accesstoken", password: token, expiresAt };
}

function garFailure(registry: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : "";
  if (message.startsWith("Could not load the default credentials")) {
    return providerNoCredentials(
      "gar",
      registry,
      "attach a service account (workload identity, the instance's) or point GOOGLE_APPLICATION_CREDENTIALS at a credentials file",
    );
  }
  const answered = (error as { response?: { status?: unknown } } | null)?.response?.status;
  const status = typeof answered === "number" ? answered : undefined;
  const what = `the token request failed with ${errorName(error)}${status === undefined ? "" : ` (HTTP ${status})`}`;
  if (mayRecover(error, status)) return providerUnavailable("gar", registry, what);
  return providerRefused(
    "gar",
    registry,
    what,
    "check the credentials Application Default Credentials use (the GOOGLE_APPLICATION_CREDENTIALS file, the workload identity pool and provider, the attached service account)",
  );
}
