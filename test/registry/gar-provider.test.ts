/**
 * provider: gar against a local stand-in of Google's token endpoint: Application Default
 * Credentials read GOOGLE_APPLICATION_CREDENTIALS, an external_account (workload identity
 * federation) file written by the test whose token_url is the stand-in and whose subject token
 * is a file, so google-auth-library's real STS exchange runs against 127.0.0.1. The metadata
 * server is never asked (METADATA_SERVER_DETECTION=none). The registry is a strict scripted
 * Bearer registry shaped like Artifact Registry, whose realm takes oauth2accesstoken:<token>.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ProviderTokenCache } from "../../src/registry/provider-token-cache.js";
import { fakeClock } from "../helpers/fake-clock.js";
import { SUBJECT_TOKEN, promoterRejection, resolveWithProvider, stsExchange, writeExternalAccount } from "./provider-mocks.js";
import { DIGEST, SHA, TOKEN, basic, manifestFound, mockManifestHead, mockTokenRequest, tokenGranted } from "./registry-mocks.js";
import type { ScriptedRequest } from "./scripted-fetch.js";
import { startTokenEndpointStandIn, type TokenEndpointStandIn } from "./token-endpoint-stand-in.js";

const HOST = "europe-docker.pkg.dev";
const IMAGE = `${HOST}/acme-project/images/core-api`;
const REPOSITORY = "acme-project/images/core-api";
const MANIFEST = `https://${HOST}/v2/${REPOSITORY}/manifests/${SHA}`;
const REALM = `https://${HOST}/v2/token`;
const MINUTE = 60_000;

let google: TokenEndpointStandIn;
let dir: string;
let credentialsFile: string;

beforeAll(async () => {
  google = await startTokenEndpointStandIn();
  dir = await mkdtemp(join(tmpdir(), "release-promoter-gar-"));
  credentialsFile = await writeExternalAccount(dir, `${google.url}/v1/token`);
});
afterAll(async () => {
  await google.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", credentialsFile);
  vi.stubEnv("METADATA_SERVER_DETECTION", "none");
  vi.stubEnv("GCE_METADATA_HOST", undefined);
  vi.stubEnv("HOME", dir); // no gcloud well-known file of this machine's
});
afterEach(() => {
  vi.unstubAllEnvs();
  google.assertDone();
});

function pullWith(accessToken: string): ScriptedRequest[] {
  return [
    mockManifestHead(SHA, { status: 401, headers: { "www-authenticate": `Bearer realm="${REALM}",service="${HOST}"` } }, { url: MANIFEST }),
    mockTokenRequest(tokenGranted(), {
      url: `${REALM}?service=${HOST}&scope=${encodeURIComponent(`repository:${REPOSITORY}:pull`)}`,
      authorization: basic("oauth2accesstoken", accessToken),
    }),
    mockManifestHead(SHA, manifestFound(DIGEST), { url: MANIFEST, authorization: `Bearer ${TOKEN}` }),
  ];
}

function resolveWith(script: ScriptedRequest[], tokens: ProviderTokenCache) {
  return resolveWithProvider("gar", IMAGE, script, tokens);
}

describe("provider gar", () => {
  it("answers the registry's token realm with oauth2accesstoken and the ADC access token, fetched once while valid", async () => {
    const clock = fakeClock(Date.now());
    const tokens = new ProviderTokenCache(clock.now);
    google.expect(stsExchange("ya29.stand-in-1"));
    expect(await resolveWith(pullWith("ya29.stand-in-1"), tokens)).toMatchObject({ digest: DIGEST, registry: HOST });
    await clock.sleep(50 * MINUTE);
    expect(await resolveWith(pullWith("ya29.stand-in-1"), tokens)).toMatchObject({ digest: DIGEST });
    expect(google.received).toHaveLength(1);
  });

  it("fetches a new access token once it is within 5 minutes of its expiry", async () => {
    const clock = fakeClock(Date.now());
    const tokens = new ProviderTokenCache(clock.now);
    google.expect(stsExchange("ya29.stand-in-1"));
    await resolveWith(pullWith("ya29.stand-in-1"), tokens);
    await clock.sleep(56 * MINUTE);
    // google-auth-library dates the expiry by the real clock: this one outlives the fake clock's 56 minutes.
    google.expect(stsExchange("ya29.stand-in-2", 2 * 3600));
    await resolveWith(pullWith("ya29.stand-in-2"), tokens);
    await resolveWith(pullWith("ya29.stand-in-2"), tokens);
    expect(google.received).toHaveLength(2);
  });

  it("fails closed when Google refuses the exchange, naming the provider and the credentials to check, never the subject token", async () => {
    google.expect({ method: "POST", path: "/v1/token", answer: { status: 400, body: { error: "invalid_grant", error_description: "The audience does not match" } } });
    const error = await promoterRejection(resolveWith([], new ProviderTokenCache(fakeClock().now)));
    expect(error).toMatchObject({ code: "registry_unauthorized", retryable: false });
    expect(error.message).toMatch(
      new RegExp(
        `^provider gar \\(Google Application Default Credentials\\) could not get a token for registry ${HOST.replace(/\./g, "\\.")}: ` +
          "the token request failed with \\w+ \\(HTTP 400\\); check the credentials Application Default Credentials use \\(the GOOGLE_APPLICATION_CREDENTIALS file, the workload identity pool and provider, the attached service account\\)$",
      ),
    );
    expect(error.message).not.toContain(SUBJECT_TOKEN);
  });

  it("gives up on a token endpoint that does not answer within the request timeout (registry_unavailable)", async () => {
    google.expect({ method: "POST", path: "/v1/token", answer: "hang" });
    const started = Date.now();
    const error = await promoterRejection(resolveWithProvider("gar", IMAGE, [], new ProviderTokenCache(fakeClock().now), 500));
    expect(error).toMatchObject({ code: "registry_unavailable", retryable: true });
    expect(error.message).toBe("provider gar (Google Application Default Credentials) got no token for registry europe-docker.pkg.dev within 2s"); // 3 × the 500 ms request timeout
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("says credentials_missing when Application Default Credentials find nothing", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", undefined);
    const error = await promoterRejection(resolveWith([], new ProviderTokenCache(fakeClock().now)));
    expect(error).toMatchObject({ code: "credentials_missing", retryable: false });
    expect(error.message).toBe(
      `provider gar (Google Application Default Credentials) found no credentials for registry ${HOST}; ` +
        "attach a service account (workload identity, the instance's) or point GOOGLE_APPLICATION_CREDENTIALS at a credentials file",
    );
  });
});
