/** Shared pieces of the credential-provider tests (ecr, gar, acr). */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { PromoterError } from "../../src/errors.js";
import type { ProviderTokenCache } from "../../src/registry/provider-token-cache.js";
import type { RegistryProvider } from "../../src/registry/registry-providers.js";
import { resolveDigest, type ResolvedDigest } from "../../src/registry/resolve-digest.js";
import { SHA } from "./registry-mocks.js";
import { scriptedFetch, type ScriptedRequest } from "./scripted-fetch.js";
import type { ExpectedRequest } from "./token-endpoint-stand-in.js";

/** The PromoterError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function promoterRejection(promise: Promise<unknown>): Promise<PromoterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoterError);
  return error as PromoterError;
}

/** Resolves `image`:SHA with `provider` and `tokens`, the registry being the strict `script`. */
export function resolveWithProvider(
  provider: RegistryProvider,
  image: string,
  script: ScriptedRequest[],
  tokens: ProviderTokenCache,
  requestTimeoutMs?: number,
): Promise<ResolvedDigest> {
  const registry = scriptedFetch(script);
  return resolveDigest({ image, reference: SHA, auth: { provider }, fetch: registry.fetch, providerTokens: tokens, requestTimeoutMs }).finally(() =>
    registry.assertDone(),
  );
}

/** A registry that asks for Basic credentials, as ECR does. */
export function basicChallengeOf(realm: string): { status: number; headers: Record<string, string> } {
  return { status: 401, headers: { "www-authenticate": `Basic realm="${realm}",service="ecr.amazonaws.com"` } };
}

export const SUBJECT_TOKEN = "eyJ.subject-token-from-the-workload.sig";

/**
 * A Google external_account (workload identity federation) credentials file in `dir` whose STS
 * token_url is `tokenUrl` and whose subject token is a file: what GOOGLE_APPLICATION_CREDENTIALS
 * points at in the gar tests. Returns its path.
 */
export async function writeExternalAccount(dir: string, tokenUrl: string): Promise<string> {
  await writeFile(join(dir, "subject-token"), SUBJECT_TOKEN);
  const path = join(dir, "external-account.json");
  await writeFile(
    path,
    JSON.stringify({
      type: "external_account",
      audience: "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci/providers/release-promoter",
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: tokenUrl,
      credential_source: { file: join(dir, "subject-token") },
    }),
  );
  return path;
}

/** The STS token exchange google-auth-library makes for the external account. */
export function stsExchange(accessToken: string, expiresInSeconds = 3600): ExpectedRequest {
  return {
    method: "POST",
    path: "/v1/token",
    check: (request) => {
      const form = new URLSearchParams(request.body);
      expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:token-exchange");
      expect(form.get("subject_token")).toBe(SUBJECT_TOKEN);
      expect(form.get("scope")).toBe("https://www.googleapis.com/auth/cloud-platform");
    },
    answer: {
      status: 200,
      body: { access_token: accessToken, issued_token_type: "urn:ietf:params:oauth:token-type:access_token", token_type: "Bearer", expires_in: expiresInSeconds },
    },
  };
}

