/**
 * provider: ecr against a local stand-in of Amazon ECR's API (AWS_ENDPOINT_URL_ECR; the SDK
 * speaks AWS JSON 1.1: POST / with X-Amz-Target ...GetAuthorizationToken, signed with the
 * credentials the default chain found in env), and a strict scripted registry that asks for
 * Basic credentials as ECR does. The token cache runs on a fake clock.
 */
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ProviderTokenCache } from "../../src/registry/provider-token-cache.js";
import { createTestProbot } from "../helpers/app-server.js";
import { fakeClock } from "../helpers/fake-clock.js";
import { GitHubMock } from "../helpers/github-mock.js";
import { TAGGED_COMMIT, promotionContext, pushPayload } from "../helpers/promotion-mocks.js";
import { basicChallengeOf, promoterRejection, resolveWithProvider } from "./provider-mocks.js";
import { ACCEPT, DIGEST, SHA, basic, manifestFound, mockManifestHead } from "./registry-mocks.js";
import { scriptedFetch, type ScriptedRequest } from "./scripted-fetch.js";
import { startTokenEndpointStandIn, type ExpectedRequest, type TokenEndpointStandIn } from "./token-endpoint-stand-in.js";

const HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const IMAGE = `${HOST}/acme/core-api`;
const MANIFESTS = `https://${HOST}/v2/acme/core-api`;
const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const HOUR = 3_600_000;

let ecr: TokenEndpointStandIn;

beforeAll(async () => {
  ecr = await startTokenEndpointStandIn();
});
afterAll(async () => {
  await ecr.stop();
});
beforeEach(() => {
  // The default chain finds env credentials; nothing else of this machine's is read, and the
  // instance metadata service is never asked.
  vi.stubEnv("AWS_ENDPOINT_URL_ECR", ecr.url);
  vi.stubEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
  vi.stubEnv("AWS_SESSION_TOKEN", undefined);
  vi.stubEnv("AWS_PROFILE", undefined);
  vi.stubEnv("AWS_REGION", "us-east-1"); // the host's region wins
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/config");
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", undefined);
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", undefined);
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", undefined);
  vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
});
afterEach(() => {
  vi.unstubAllEnvs();
  ecr.assertDone();
});

/** GetAuthorizationToken as the SDK sends it, answered with a token for `password` valid until `expiresAt`. */
function getAuthorizationToken(password: string, expiresAt: number): ExpectedRequest {
  return {
    method: "POST",
    path: "/",
    check: (request) => {
      expect(request.headers["x-amz-target"]).toBe("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
      expect(request.headers["content-type"]).toBe("application/x-amz-json-1.1");
      expect(request.headers["authorization"]).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/eu-west-1/ecr/aws4_request,`));
      expect(JSON.parse(request.body)).toEqual({});
    },
    answer: {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: {
        authorizationData: [
          { authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"), expiresAt: expiresAt / 1000, proxyEndpoint: `https://${HOST}` },
        ],
      },
    },
  };
}

function ecrRefuses(type: string, status = 400): ExpectedRequest {
  return {
    method: "POST",
    path: "/",
    answer: { status, headers: { "content-type": "application/x-amz-json-1.1" }, body: { __type: type, message: `User: arn:aws:iam::123456789012:user/ci is not authorized (${type})` } },
  };
}

/** ECR's conversation for one resolution: Basic challenge, then the manifest with AWS:<password>. */
function pullWith(password: string): ScriptedRequest[] {
  return [
    mockManifestHead(SHA, basicChallengeOf(`https://${HOST}/`), { url: `${MANIFESTS}/manifests/${SHA}` }),
    mockManifestHead(SHA, manifestFound(DIGEST), { url: `${MANIFESTS}/manifests/${SHA}`, authorization: basic("AWS", password) }),
  ];
}

function resolveWith(script: ScriptedRequest[], tokens: ProviderTokenCache) {
  return resolveWithProvider("ecr", IMAGE, script, tokens);
}

describe("provider ecr", () => {
  it("pulls with the token GetAuthorizationToken gives, and asks for it once while it is valid", async () => {
    const clock = fakeClock(Date.UTC(2026, 11, 4, 9));
    const tokens = new ProviderTokenCache(clock.now);
    ecr.expect(getAuthorizationToken("ecr-password-1", clock.now() + 12 * HOUR));

    expect(await resolveWith(pullWith("ecr-password-1"), tokens)).toMatchObject({ digest: DIGEST, registry: HOST });
    await clock.sleep(11 * HOUR);
    expect(await resolveWith(pullWith("ecr-password-1"), tokens)).toMatchObject({ digest: DIGEST });
    expect(ecr.received).toHaveLength(1);
  });

  it("fetches a new token once, 5 minutes before the old one expires", async () => {
    const clock = fakeClock(Date.UTC(2026, 11, 4, 9));
    const tokens = new ProviderTokenCache(clock.now);
    const expiresAt = clock.now() + 12 * HOUR;
    ecr.expect(getAuthorizationToken("ecr-password-1", expiresAt));
    await resolveWith(pullWith("ecr-password-1"), tokens);

    await clock.sleep(12 * HOUR - 5 * 60_000);
    ecr.expect(getAuthorizationToken("ecr-password-2", expiresAt + 12 * HOUR));
    await resolveWith(pullWith("ecr-password-2"), tokens);
    await resolveWith(pullWith("ecr-password-2"), tokens);
    expect(ecr.received).toHaveLength(2);
  });

  it("shares one GetAuthorizationToken among resolutions running at once", async () => {
    const clock = fakeClock(Date.UTC(2026, 11, 4, 9));
    const tokens = new ProviderTokenCache(clock.now);
    ecr.expect(getAuthorizationToken("ecr-password-1", clock.now() + 12 * HOUR));
    await Promise.all([resolveWith(pullWith("ecr-password-1"), tokens), resolveWith(pullWith("ecr-password-1"), tokens)]);
    expect(ecr.received).toHaveLength(1);
  });

  it("fails closed when ECR refuses the token, naming the provider and the IAM action, never a secret; the refusal is not kept", async () => {
    const clock = fakeClock(Date.UTC(2026, 11, 4, 9));
    const tokens = new ProviderTokenCache(clock.now);
    ecr.expect(ecrRefuses("AccessDeniedException"));
    const error = await promoterRejection(resolveWith([], tokens));
    expect(error).toMatchObject({ code: "registry_unauthorized", retryable: false });
    expect(error.message).toBe(
      `provider ecr (AWS default credential chain) could not get a token for registry ${HOST}: GetAuthorizationToken in eu-west-1 failed with AccessDeniedException (HTTP 400); ` +
        "check that the AWS identity the default credential chain finds has ecr:GetAuthorizationToken and ecr:BatchGetImage",
    );
    expect(error.message).not.toContain(SECRET_ACCESS_KEY);

    ecr.expect(getAuthorizationToken("ecr-password-1", clock.now() + 12 * HOUR));
    expect(await resolveWith(pullWith("ecr-password-1"), tokens)).toMatchObject({ digest: DIGEST });
  });

  it("says registry_unavailable (retryable) when ECR answers 500", async () => {
    ecr.expect(ecrRefuses("ServerException", 500));
    const error = await promoterRejection(resolveWith([], new ProviderTokenCache(fakeClock().now)));
    expect(error).toMatchObject({ code: "registry_unavailable", retryable: true });
    expect(error.message).toContain("provider ecr (AWS default credential chain) could not get a token for registry");
  });

  it("gives up on an ECR endpoint that does not answer within the request timeout (registry_unavailable)", async () => {
    ecr.expect({ method: "POST", path: "/", answer: "hang" });
    const started = Date.now();
    const error = await promoterRejection(resolveWithProvider("ecr", IMAGE, [], new ProviderTokenCache(fakeClock().now), 500));
    expect(error).toMatchObject({ code: "registry_unavailable", retryable: true });
    expect(error.message).toMatch(/^provider ecr \(AWS default credential chain\) could not get a token for registry .*: GetAuthorizationToken in eu-west-1 failed with \w+/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("drops a token the registry refuses, so the next resolution fetches a new one", async () => {
    const clock = fakeClock(Date.UTC(2026, 11, 4, 9));
    const tokens = new ProviderTokenCache(clock.now);
    ecr.expect(getAuthorizationToken("revoked-password", clock.now() + 12 * HOUR));
    const error = await promoterRejection(
      resolveWith(
        [
          mockManifestHead(SHA, basicChallengeOf(`https://${HOST}/`), { url: `${MANIFESTS}/manifests/${SHA}` }),
          mockManifestHead(SHA, basicChallengeOf(`https://${HOST}/`), { url: `${MANIFESTS}/manifests/${SHA}`, authorization: basic("AWS", "revoked-password") }),
        ],
        tokens,
      ),
    );
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toContain("(HTTP 401; credential: provider ecr (AWS default credential chain))");
    expect(error.message).toContain("check that the AWS identity the default credential chain finds has ecr:GetAuthorizationToken and ecr:BatchGetImage for acme/core-api");
    expect(error.message).not.toContain("revoked-password");

    ecr.expect(getAuthorizationToken("ecr-password-2", clock.now() + 12 * HOUR));
    expect(await resolveWith(pullWith("ecr-password-2"), tokens)).toMatchObject({ digest: DIGEST });
  });

  it("says credentials_missing when the default chain finds no credentials, before any request", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", undefined);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", undefined);
    const error = await promoterRejection(resolveWith([], new ProviderTokenCache(fakeClock().now)));
    expect(error).toMatchObject({ code: "credentials_missing", retryable: false });
    expect(error.message).toBe(
      `provider ecr (AWS default credential chain) found no credentials for registry ${HOST}; ` +
        "give the app an IAM role (IRSA web identity, ECS task or EC2 instance role) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
    );
    expect(ecr.received).toHaveLength(0);
  });
});

describe("a tag push whose image is in ECR, with provider ecr in the config", () => {
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
  });
  afterEach(() => {
    nock.enableNetConnect();
  });

  it("reaches the registry with the ECR token, and a refusal names the provider on the check run, never the token", async () => {
    const configText = `services:
  core: { repository: acme/core-api, image: ${IMAGE}, variable: core_image }
environments:
  prod: { file: envs/prod.tfvars }
registries:
  ${HOST}: { provider: ecr }
imageWaitSeconds: 0
`;
    const github = new GitHubMock();
    github.accessToken(4242).graphql("ReadPromotionContext", () => promotionContext({ configText }));
    let check: Record<string, any> | undefined;
    github.rest("POST", "/repos/acme/core-api/check-runs", (body) => {
      check = body as Record<string, any>;
      return [201, { id: 5 }];
    });
    ecr.expect(getAuthorizationToken("password-the-registry-refuses", Date.now() + 12 * HOUR));
    const manifest = `${MANIFESTS}/manifests/${TAGGED_COMMIT}`;
    const registry = scriptedFetch([
      { method: "HEAD", url: manifest, headers: { accept: ACCEPT, authorization: null }, respond: basicChallengeOf(`https://${HOST}/`) },
      { method: "HEAD", url: manifest, headers: { accept: ACCEPT, authorization: basic("AWS", "password-the-registry-refuses") }, respond: { status: 403 } },
    ]);

    const { probot, tasks } = await createTestProbot({}, { fetch: registry.fetch });
    await probot.receive({ id: "ecr-1", name: "push", payload: pushPayload() as unknown as EmitterWebhookEvent<"push">["payload"] });
    await tasks.idle();

    registry.assertDone();
    github.assertDone();
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(check!.output.title).toContain("registry_unauthorized");
    expect(check!.output.summary).toContain(`registry ${HOST} refused access to ${IMAGE}:${TAGGED_COMMIT} (HTTP 403; credential: provider ecr (AWS default credential chain))`);
    expect(check!.output.summary).not.toContain("password-the-registry-refuses");
    expect(check!.output.summary).not.toContain(SECRET_ACCESS_KEY);
  });
});
