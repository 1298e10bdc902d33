import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PromoterError } from "../../src/errors.js";
import { resolveDigest, type ResolveDigestOptions } from "../../src/registry/resolve-digest.js";
import { scriptedFetch, type ScriptedFetch, type ScriptedRequest } from "./scripted-fetch.js";
import {
  DIGEST,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  IMAGE,
  OCI_INDEX,
  OCI_MANIFEST,
  SHA,
  TOKEN,
  basic,
  basicChallenge,
  bearerChallenge,
  connectionRefused,
  connectionReset,
  fetchFailed,
  manifestFound,
  manifestUnknown,
  mockManifestGet,
  mockManifestHead,
  mockTokenRequest,
  plainHttpOverTls,
  tokenGranted,
  untrustedCertificate,
} from "./registry-mocks.js";
import { fakeClock } from "../helpers/fake-clock.js";

const AUTH = { usernameEnv: "GHCR_USER", passwordEnv: "GHCR_TOKEN" };
const PASSWORD = "ghp_s3cret-password-value";
const ENV = { GHCR_USER: "promoter-bot", GHCR_TOKEN: PASSWORD };

let registry: ScriptedFetch | undefined;
afterEach(() => {
  registry?.assertDone();
  registry = undefined;
});


function resolve(script: ScriptedRequest[], options: Partial<ResolveDigestOptions> = {}) {
  registry = scriptedFetch(script);
  const clock = fakeClock();
  return resolveDigest({
    image: IMAGE,
    reference: SHA,
    fetch: registry.fetch,
    now: clock.now,
    sleep: clock.sleep,
    env: {},
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<PromoterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoterError);
  return error as PromoterError;
}

/** Secrets must not reach a message, nor any message down the cause chain. */
function expectNoSecrets(error: unknown): void {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    expect(e.message).not.toContain(PASSWORD);
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).not.toContain(Buffer.from(`promoter-bot:${PASSWORD}`).toString("base64"));
  }
}

describe("resolveDigest: anonymous registry", () => {
  it("HEADs the manifest, asking for indexes first, and returns Docker-Content-Digest", async () => {
    const result = await resolve([mockManifestHead(SHA, manifestFound(DIGEST, OCI_INDEX))]);
    expect(result).toEqual({
      digest: DIGEST,
      mediaType: OCI_INDEX,
      registry: "ghcr.io",
      repository: "acme/core-api",
      requests: 1,
    });
  });

  it.each([OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST])("accepts %s", async (mediaType) => {
    const result = await resolve([mockManifestHead(SHA, manifestFound(DIGEST, mediaType))]);
    expect(result.mediaType).toBe(mediaType);
  });

  it("accepts a Content-Type with parameters", async () => {
    const result = await resolve([
      mockManifestHead(SHA, manifestFound(DIGEST, `${DOCKER_MANIFEST}; charset=utf-8`)),
    ]);
    expect(result.mediaType).toBe(DOCKER_MANIFEST);
  });

  it("resolves Docker Hub short names on registry-1.docker.io under library/", async () => {
    const result = await resolve(
      [
        mockManifestHead("1.27", manifestFound(DIGEST, DOCKER_LIST), {
          url: "https://registry-1.docker.io/v2/library/nginx/manifests/1.27",
        }),
      ],
      { image: "nginx", reference: "1.27" },
    );
    expect(result).toMatchObject({ registry: "registry-1.docker.io", repository: "library/nginx" });
  });

  it("checks a digest reference against the digest the registry answers", async () => {
    const other = `sha256:${"cd".repeat(32)}`;
    await expect(resolve([mockManifestHead(DIGEST, manifestFound(DIGEST))], { reference: DIGEST })).resolves.toMatchObject({
      digest: DIGEST,
    });
    registry?.assertDone();
    const error = await rejection(resolve([mockManifestHead(DIGEST, manifestFound(other))], { reference: DIGEST }));
    expect(error.code).toBe("registry_invalid_response");
  });

  it("refuses a malformed reference before any request, with a plain Error", async () => {
    await expect(resolve([], { reference: "v1.0+build" })).rejects.toThrow(/neither a valid tag nor a sha256 digest/);
    await expect(resolve([], { reference: "-leading-dash" })).rejects.not.toBeInstanceOf(PromoterError);
  });
});

describe("resolveDigest: Docker-Content-Digest", () => {
  it.each([
    ["uppercase hex", `sha256:${"AB".repeat(32)}`],
    ["another algorithm", `sha512:${"ab".repeat(64)}`],
    ["short", `sha256:${"ab".repeat(31)}`],
    ["garbage", "not-a-digest"],
    ["empty", ""],
  ])("refuses a %s digest header, without retrying", async (_, header) => {
    const error = await rejection(
      resolve([mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_INDEX, "docker-content-digest": header } })], {
        wait: { timeoutMs: 60_000 },
      }),
    );
    expect(error.code).toBe("registry_invalid_response");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("ghcr.io");
  });

  it("falls back to GET and hashes the exact body bytes when HEAD has no digest header", async () => {
    const body = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[]}\n`;
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const result = await resolve([
      mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_INDEX } }),
      mockManifestGet(SHA, { status: 200, headers: { "content-type": OCI_INDEX }, body }),
    ]);
    expect(result).toMatchObject({ digest, mediaType: OCI_INDEX, requests: 2 });
  });

  it("accepts a GET whose digest header matches the body", async () => {
    const body = Buffer.from(`{"schemaVersion":2}`);
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const result = await resolve([
      mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_MANIFEST } }),
      mockManifestGet(SHA, {
        status: 200,
        headers: { "content-type": OCI_MANIFEST, "docker-content-digest": digest },
        body: new Uint8Array(body),
      }),
    ]);
    expect(result.digest).toBe(digest);
  });

  it("refuses a GET whose digest header does not match the body", async () => {
    const error = await rejection(
      resolve([
        mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_MANIFEST } }),
        mockManifestGet(SHA, {
          status: 200,
          headers: { "content-type": OCI_MANIFEST, "docker-content-digest": DIGEST },
          body: `{"schemaVersion":2}`,
        }),
      ]),
    );
    expect(error.code).toBe("registry_invalid_response");
    expect(error.message).toMatch(/hash to sha256:[0-9a-f]{64}/);
  });
});

describe("resolveDigest: manifest size", () => {
  it.each([
    ["declared in Content-Length", true],
    ["streamed without a length", false],
  ])("refuses a GET body over 4 MiB (%s)", async (_, withLength) => {
    const size = 4 * 1024 * 1024 + 1;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(size));
        controller.close();
      },
    });
    registry = scriptedFetch([mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_MANIFEST } })]);
    const fetchWithBigBody: typeof fetch = async (input, init) => {
      if (init?.method === "HEAD") return registry!.fetch(input, init);
      const headers: Record<string, string> = { "content-type": OCI_MANIFEST };
      if (withLength) headers["content-length"] = String(size);
      return new Response(body, { status: 200, headers });
    };
    const error = await rejection(resolveDigest({ image: IMAGE, reference: SHA, env: {}, fetch: fetchWithBigBody }));
    expect(error.code).toBe("registry_invalid_response");
    expect(error.message).toContain("larger than 4194304 bytes");
  });
});

describe("resolveDigest: Content-Type", () => {
  it.each([
    ["a schema1 manifest", "application/vnd.docker.distribution.manifest.v1+prettyjws"],
    ["an HTML page", "text/html; charset=utf-8"],
    ["no content type", undefined],
  ])("refuses %s", async (_, contentType) => {
    const headers: Record<string, string> = { "docker-content-digest": DIGEST };
    if (contentType !== undefined) headers["content-type"] = contentType;
    const error = await rejection(resolve([mockManifestHead(SHA, { status: 200, headers })]));
    expect(error.code).toBe("registry_invalid_response");
    expect(error.message).toContain(`${IMAGE}:${SHA}`);
    expect(error.message).toContain("not an OCI or Docker v2 image manifest or index");
  });

  it("checks the Content-Type of the GET fallback too", async () => {
    const error = await rejection(
      resolve([
        mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_INDEX } }),
        mockManifestGet(SHA, { status: 200, headers: { "content-type": "application/json" }, body: "{}" }),
      ]),
    );
    expect(error.code).toBe("registry_invalid_response");
  });
});

describe("resolveDigest: Bearer token flow", () => {
  it("fetches an anonymous pull token from the realm and retries with it", async () => {
    const result = await resolve([
      mockManifestHead(SHA, bearerChallenge()),
      mockTokenRequest(tokenGranted("token")),
      mockManifestHead(SHA, manifestFound(DIGEST), { authorization: `Bearer ${TOKEN}` }),
    ]);
    expect(result).toMatchObject({ digest: DIGEST, requests: 3 });
  });

  it("sends the configured credentials as Basic to the token endpoint and accepts access_token", async () => {
    const result = await resolve(
      [
        mockManifestHead(SHA, bearerChallenge()),
        mockTokenRequest(tokenGranted("access_token"), { authorization: basic("promoter-bot", PASSWORD) }),
        mockManifestHead(SHA, manifestFound(DIGEST), { authorization: `Bearer ${TOKEN}` }),
      ],
      { auth: AUTH, env: ENV },
    );
    expect(result.digest).toBe(DIGEST);
  });

  it("asks for pull on the repository even when the challenge names another scope, and keeps realm query params", async () => {
    registry = scriptedFetch([
      mockManifestHead(SHA, {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="https://auth.example.com/token?tenant=acme",scope="repository:acme/core-api:pull,push"' },
      }),
      mockTokenRequest(tokenGranted(), {
        url: `https://auth.example.com/token?tenant=acme&scope=${encodeURIComponent("repository:acme/core-api:pull")}`,
      }),
      mockManifestHead(SHA, manifestFound(DIGEST), { authorization: `Bearer ${TOKEN}` }),
    ]);
    await resolveDigest({ image: IMAGE, reference: SHA, fetch: registry.fetch, env: {} });
  });

  it("keeps the token across waits and re-authenticates when it has expired", async () => {
    const onWait = vi.fn();
    const result = await resolve(
      [
        mockManifestHead(SHA, bearerChallenge()),
        mockTokenRequest(tokenGranted("token", "first-token")),
        mockManifestHead(SHA, manifestUnknown(), { authorization: "Bearer first-token" }),
        mockManifestHead(SHA, bearerChallenge(',error="invalid_token"'), { authorization: "Bearer first-token" }),
        mockTokenRequest(tokenGranted("token", "second-token")),
        mockManifestHead(SHA, manifestFound(DIGEST), { authorization: "Bearer second-token" }),
      ],
      { wait: { timeoutMs: 60_000 }, onWait },
    );
    expect(result.requests).toBe(6);
    expect(onWait).toHaveBeenCalledOnce();
  });

  it("fails at once, naming the registry and the env var names, when the registry refuses the token", async () => {
    const onWait = vi.fn();
    const error = await rejection(
      resolve(
        [
          mockManifestHead(SHA, bearerChallenge()),
          mockTokenRequest(tokenGranted(), { authorization: basic("promoter-bot", PASSWORD) }),
          mockManifestHead(SHA, bearerChallenge(',error="insufficient_scope"'), { authorization: `Bearer ${TOKEN}` }),
        ],
        { auth: AUTH, env: ENV, wait: { timeoutMs: 600_000 }, onWait },
      ),
    );
    expect(error.code).toBe("registry_unauthorized");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("ghcr.io");
    expect(error.message).toContain("GHCR_USER/GHCR_TOKEN");
    expect(onWait).not.toHaveBeenCalled();
    expectNoSecrets(error);
  });

  it("names the credential 'anonymous' when no credentials are configured", async () => {
    const error = await rejection(
      resolve([
        mockManifestHead(SHA, bearerChallenge()),
        mockTokenRequest(tokenGranted()),
        mockManifestHead(SHA, { status: 403 }, { authorization: `Bearer ${TOKEN}` }),
      ]),
    );
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toMatch(/registry ghcr\.io .*credential: anonymous/);
  });

  it.each([401, 403])("maps a token endpoint %i to registry_unauthorized", async (status) => {
    const error = await rejection(
      resolve(
        [
          mockManifestHead(SHA, bearerChallenge()),
          mockTokenRequest({ status, body: '{"details":"bad credentials"}' }, { authorization: basic("promoter-bot", PASSWORD) }),
        ],
        { auth: AUTH, env: ENV, wait: { timeoutMs: 60_000 } },
      ),
    );
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toContain("GHCR_USER/GHCR_TOKEN");
    expectNoSecrets(error);
  });

  it("refuses a token response without a token", async () => {
    const error = await rejection(
      resolve([mockManifestHead(SHA, bearerChallenge()), mockTokenRequest({ status: 200, body: '{"expires_in":300}' })]),
    );
    expect(error.code).toBe("registry_invalid_response");
  });

  it("never sends credentials to a plain-http realm on another host", async () => {
    const challenge = {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="http://auth.example.com/token",service="ghcr.io"' },
    };
    const error = await rejection(resolve([mockManifestHead(SHA, challenge)], { auth: AUTH, env: ENV }));
    expect(error.code).toBe("registry_invalid_response");
    expect(error.message).toContain("refusing to send credentials");
    expectNoSecrets(error);
  });

  it("may fetch an anonymous token over plain http (nothing secret is sent)", async () => {
    const challenge = {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="http://auth.example.com/token",service="ghcr.io"' },
    };
    const result = await resolve([
      mockManifestHead(SHA, challenge),
      mockTokenRequest(tokenGranted(), {
        url: `http://auth.example.com/token?service=ghcr.io&scope=${encodeURIComponent("repository:acme/core-api:pull")}`,
      }),
      mockManifestHead(SHA, manifestFound(DIGEST), { authorization: `Bearer ${TOKEN}` }),
    ]);
    expect(result.digest).toBe(DIGEST);
  });

  it("sends credentials to a plain-http loopback realm of an insecure loopback registry", async () => {
    registry = scriptedFetch([
      mockManifestHead(SHA, plainHttpOverTls(), { url: `https://127.0.0.1:5000/v2/acme/core-api/manifests/${SHA}` }),
      mockManifestHead(SHA, {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="http://127.0.0.1:7000/token",service="test"' },
      }, { url: `http://127.0.0.1:5000/v2/acme/core-api/manifests/${SHA}` }),
      mockTokenRequest(tokenGranted(), {
        url: `http://127.0.0.1:7000/token?service=test&scope=${encodeURIComponent("repository:acme/core-api:pull")}`,
        authorization: basic("promoter-bot", PASSWORD),
      }),
      mockManifestHead(SHA, manifestFound(DIGEST), {
        url: `http://127.0.0.1:5000/v2/acme/core-api/manifests/${SHA}`,
        authorization: `Bearer ${TOKEN}`,
      }),
    ]);
    const result = await resolveDigest({
      image: "127.0.0.1:5000/acme/core-api",
      reference: SHA,
      auth: AUTH,
      env: ENV,
      fetch: registry.fetch,
    });
    expect(result.requests).toBe(4);
  });
});

describe("resolveDigest: Basic flow", () => {
  it("answers a Basic challenge with the configured credentials", async () => {
    const result = await resolve(
      [
        mockManifestHead(SHA, basicChallenge()),
        mockManifestHead(SHA, manifestFound(DIGEST, DOCKER_MANIFEST), { authorization: basic("promoter-bot", PASSWORD) }),
      ],
      { auth: AUTH, env: ENV },
    );
    expect(result).toMatchObject({ digest: DIGEST, mediaType: DOCKER_MANIFEST, requests: 2 });
  });

  it("fails at once without credentials, naming 'anonymous'", async () => {
    const error = await rejection(resolve([mockManifestHead(SHA, basicChallenge())], { wait: { timeoutMs: 60_000 } }));
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toContain("credential: anonymous");
  });

  it("fails at once on wrong credentials, naming the env var names and not the secret", async () => {
    const error = await rejection(
      resolve(
        [
          mockManifestHead(SHA, basicChallenge()),
          mockManifestHead(SHA, basicChallenge(), { authorization: basic("promoter-bot", PASSWORD) }),
        ],
        { auth: AUTH, env: ENV, wait: { timeoutMs: 60_000 } },
      ),
    );
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toContain("registry ghcr.io");
    expect(error.message).toContain("GHCR_USER/GHCR_TOKEN");
    expectNoSecrets(error);
  });

  it("fails on a 401 without any challenge", async () => {
    const error = await rejection(resolve([mockManifestHead(SHA, { status: 401 })]));
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toContain("without a WWW-Authenticate challenge");
  });
});

describe("resolveDigest: credentials from the environment", () => {
  it.each([
    [{}, "GHCR_USER and GHCR_TOKEN"],
    [{ GHCR_USER: "bot" }, "GHCR_TOKEN"],
    [{ GHCR_USER: "", GHCR_TOKEN: "x" }, "GHCR_USER"],
  ])("reports unset variables as credentials_missing before any request (%j)", async (env, named) => {
    const error = await rejection(resolve([], { auth: AUTH, env }));
    expect(error.code).toBe("credentials_missing");
    expect(error.message).toContain(named);
    expect(error.message).toContain("ghcr.io");
  });

  it("reads process.env by default", async () => {
    vi.stubEnv("RP_TEST_USER", "bot");
    vi.stubEnv("RP_TEST_PASS", "pw");
    try {
      registry = scriptedFetch([
        mockManifestHead(SHA, basicChallenge()),
        mockManifestHead(SHA, manifestFound(DIGEST), { authorization: basic("bot", "pw") }),
      ]);
      await resolveDigest({
        image: IMAGE,
        reference: SHA,
        auth: { usernameEnv: "RP_TEST_USER", passwordEnv: "RP_TEST_PASS" },
        fetch: registry.fetch,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("resolveDigest: waiting for the image", () => {
  it("without a wait, a 404 fails at once naming image:reference and the registry", async () => {
    const error = await rejection(resolve([mockManifestHead(SHA, manifestUnknown())]));
    expect(error.code).toBe("image_not_found");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`image ${IMAGE}:${SHA} not found in registry ghcr.io (HTTP 404); did CI push it?`);
  });

  it("waits with backoff while the image is missing, calling onWait before each sleep", async () => {
    registry = scriptedFetch([
      mockManifestHead(SHA, manifestUnknown(), { times: 3 }),
      mockManifestHead(SHA, manifestFound(DIGEST)),
    ]);
    const clock = fakeClock();
    const events: string[] = [];
    const sleep = vi.fn(async (ms: number) => {
      events.push(`sleep ${ms}`);
      await clock.sleep(ms);
    });
    const onWait = vi.fn(async (info: { attempt: number; delayMs: number; error: PromoterError }) => {
      events.push(`wait ${info.attempt} ${info.delayMs} ${info.error.code}`);
    });
    const result = await resolveDigest({
      image: IMAGE,
      reference: SHA,
      fetch: registry.fetch,
      now: clock.now,
      sleep,
      onWait,
      wait: { timeoutMs: 600_000, initialDelayMs: 1000, maxDelayMs: 30_000 },
    });
    expect(result).toMatchObject({ digest: DIGEST, requests: 4 });
    expect(onWait).toHaveBeenCalledTimes(3);
    const delays = sleep.mock.calls.map(([ms]) => ms);
    // Exponential with equal jitter: attempt n sleeps between base/2 and base, base = 1s·2^(n-1).
    delays.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(500 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(1000 * 2 ** i);
    });
    expect(events).toEqual(
      delays.flatMap((ms, i) => [`wait ${i + 1} ${ms} image_not_found`, `sleep ${ms}`]),
    );
  });

  it("gives up when the wait is spent, saying how long it waited", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1); // no jitter: every delay is exactly 1 minute
    registry = scriptedFetch([mockManifestHead(SHA, manifestUnknown(), { times: 11 })]);
    const clock = fakeClock();
    const error = await rejection(
      resolveDigest({
        image: IMAGE,
        reference: SHA,
        fetch: registry.fetch,
        now: clock.now,
        sleep: clock.sleep,
        wait: { timeoutMs: 600_000, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      }),
    );
    expect(error.code).toBe("image_not_found");
    expect(error.message).toBe(
      `no image ${IMAGE}:${SHA} after 10m; did CI push it? (registry ghcr.io answered 404)`,
    );
    expect(clock.elapsed()).toBe(600_000);
    expect(clock.sleep).toHaveBeenCalledTimes(10);
    expect((error.cause as PromoterError).code).toBe("image_not_found");
  });

  it("resumes a wait an earlier run began: attempts numbered on, the budget counted from its start", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1); // no jitter
    registry = scriptedFetch([mockManifestHead(SHA, manifestUnknown(), { times: 2 })]);
    const clock = fakeClock();
    const onWait = vi.fn();
    // 4 attempts failed in earlier runs, which began 9m50s of the 10 minutes ago: one sleep is left, cut to the deadline.
    const error = await rejection(
      resolveDigest({
        image: IMAGE,
        reference: SHA,
        fetch: registry.fetch,
        now: clock.now,
        sleep: clock.sleep,
        onWait,
        wait: { timeoutMs: 600_000, initialDelayMs: 1000, maxDelayMs: 120_000, resume: { startedAt: clock.now() - 590_000, attempts: 4 } },
      }),
    );
    expect(onWait.mock.calls.map(([info]) => [info.attempt, info.delayMs])).toEqual([[5, 10_000]]);
    expect(clock.sleep.mock.calls.map(([ms]) => ms)).toEqual([10_000]);
    expect(error.code).toBe("image_not_found");
    expect(error.message).toContain("after 10m");
  });

  it("cuts the last sleep to end at the deadline", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    registry = scriptedFetch([mockManifestHead(SHA, manifestUnknown(), { times: 3 })]);
    const clock = fakeClock();
    await rejection(
      resolveDigest({
        image: IMAGE,
        reference: SHA,
        fetch: registry.fetch,
        now: clock.now,
        sleep: clock.sleep,
        wait: { timeoutMs: 5_000, initialDelayMs: 4_000 },
      }),
    );
    expect(clock.sleep.mock.calls.map(([ms]) => ms)).toEqual([4_000, 1_000]);
  });

  it("is bounded even when the clock does not move", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    registry = scriptedFetch([mockManifestHead(SHA, manifestUnknown(), { times: 3 })]);
    const error = await rejection(
      resolveDigest({
        image: IMAGE,
        reference: SHA,
        fetch: registry.fetch,
        now: () => 0,
        sleep: async () => {},
        wait: { timeoutMs: 3_000, initialDelayMs: 1_000 },
      }),
    );
    expect(error.code).toBe("image_not_found");
  });
});

describe("resolveDigest: registry unavailable", () => {
  it.each([500, 502, 503, 429])("retries HTTP %i as registry_unavailable", async (status) => {
    const result = await resolve(
      [mockManifestHead(SHA, { status }), mockManifestHead(SHA, manifestFound(DIGEST))],
      { wait: { timeoutMs: 60_000 } },
    );
    expect(result.requests).toBe(2);
  });

  it("honours Retry-After seconds on 503", async () => {
    const onWait = vi.fn();
    const result = await resolve(
      [
        mockManifestHead(SHA, { status: 503, headers: { "retry-after": "7" } }),
        mockManifestHead(SHA, manifestFound(DIGEST)),
      ],
      { wait: { timeoutMs: 60_000, initialDelayMs: 100 }, onWait },
    );
    expect(result.digest).toBe(DIGEST);
    expect(onWait).toHaveBeenCalledWith(
      expect.objectContaining({ attempt: 1, delayMs: 7_000, error: expect.objectContaining({ code: "registry_unavailable" }) }),
    );
  });

  it("honours a Retry-After HTTP-date on 429", async () => {
    const clock = fakeClock();
    registry = scriptedFetch([
      mockManifestHead(SHA, { status: 429, headers: { "retry-after": new Date(clock.now() + 12_000).toUTCString() } }),
      mockManifestHead(SHA, manifestFound(DIGEST)),
    ]);
    await resolveDigest({
      image: IMAGE,
      reference: SHA,
      fetch: registry.fetch,
      now: clock.now,
      sleep: clock.sleep,
      wait: { timeoutMs: 60_000, initialDelayMs: 100 },
    });
    expect(clock.sleep).toHaveBeenCalledWith(12_000);
  });

  it("gives up at once when Retry-After is beyond the wait budget", async () => {
    const error = await rejection(
      resolve([mockManifestHead(SHA, { status: 503, headers: { "retry-after": "3600" } })], {
        wait: { timeoutMs: 600_000 },
      }),
    );
    expect(error.code).toBe("registry_unavailable");
    expect(error.message).toContain("asked to retry in 1h, beyond the 10m wait");
  });

  it("retries network errors and reports the last one after the wait", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const error = await rejection(
      resolve([mockManifestHead(SHA, refused, { times: 3 })], {
        wait: { timeoutMs: 3_000, initialDelayMs: 1_000 },
      }),
    );
    expect(error.code).toBe("registry_unavailable");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      `registry ghcr.io still unavailable after 3s while resolving ${IMAGE}:${SHA}: could not reach registry ghcr.io: ECONNREFUSED`,
    );
  });

  it("times out a request that does not answer", async () => {
    const error = await rejection(resolve([mockManifestHead(SHA, "hang")], { requestTimeoutMs: 20 }));
    expect(error.code).toBe("registry_unavailable");
    expect(error.message).toBe("registry ghcr.io did not answer within 20ms");
  });

  it("maps a 5xx from the token endpoint to registry_unavailable", async () => {
    const result = await resolve(
      [
        mockManifestHead(SHA, bearerChallenge()),
        mockTokenRequest({ status: 502 }),
        mockManifestHead(SHA, bearerChallenge()),
        mockTokenRequest(tokenGranted()),
        mockManifestHead(SHA, manifestFound(DIGEST), { authorization: `Bearer ${TOKEN}` }),
      ],
      { wait: { timeoutMs: 60_000 } },
    );
    expect(result.requests).toBe(5);
  });

  it("maps other statuses to registry_invalid_response without retrying", async () => {
    const error = await rejection(resolve([mockManifestHead(SHA, { status: 400 })], { wait: { timeoutMs: 60_000 } }));
    expect(error.code).toBe("registry_invalid_response");
    expect(error.message).toContain("unexpected HTTP 400");
  });
});

describe("resolveDigest: https first, plain http only as a fallback for loopback and insecure registries", () => {
  const LOOPBACK = "127.0.0.1:5000/acme/core-api";
  const at = (base: string, scheme: "https" | "http" = "https", reference = SHA): string =>
    `${scheme}://${base.slice(0, base.indexOf("/"))}/v2/acme/core-api/manifests/${reference}`;

  it("speaks https to a loopback registry that serves TLS, and never tries plain http", async () => {
    const result = await resolve([mockManifestHead(SHA, manifestFound(DIGEST), { url: at(LOOPBACK) })], { image: LOOPBACK });
    expect(result).toMatchObject({ digest: DIGEST, registry: "127.0.0.1:5000", requests: 1 });
  });

  it.each(["127.0.0.1:5000/acme/core-api", "localhost:5000/acme/core-api", "[::1]:5000/acme/core-api", "127.8.9.10:5000/acme/core-api"])(
    "falls back to plain http when loopback %s answers the TLS handshake with plain http",
    async (image) => {
      const result = await resolve(
        [
          mockManifestHead(SHA, plainHttpOverTls(), { url: at(image) }),
          mockManifestHead(SHA, manifestFound(DIGEST), { url: at(image, "http") }),
        ],
        { image },
      );
      expect(result).toMatchObject({ digest: DIGEST, requests: 2 });
    },
  );

  it("falls back to plain http for an insecure registry whose https port refuses (:443, then :80, as Docker does)", async () => {
    const image = "registry.internal/acme/core-api";
    const result = await resolve(
      [
        mockManifestHead(SHA, connectionRefused("10.0.0.7:443"), { url: at(image) }),
        mockManifestHead(SHA, basicChallenge(), { url: at(image, "http") }),
        // The deployment chose plain http for this registry: its credentials go with it.
        mockManifestHead(SHA, manifestFound(DIGEST), { url: at(image, "http"), authorization: basic("promoter-bot", PASSWORD) }),
      ],
      { image, auth: { ...AUTH, insecure: true }, env: ENV },
    );
    expect(result).toMatchObject({ digest: DIGEST, requests: 3 });
  });

  it("an insecure registry that serves https is spoken to over https", async () => {
    const image = "registry.internal:5000/acme/core-api";
    const result = await resolve([mockManifestHead(SHA, manifestFound(DIGEST), { url: at(image) })], {
      image,
      auth: { insecure: true },
    });
    expect(result.requests).toBe(1);
  });

  it("never speaks plain http to a registry that is neither loopback nor insecure, and says how to allow it", async () => {
    const image = "registry.internal:5000/acme/core-api";
    const error = await rejection(
      resolve([mockManifestHead(SHA, plainHttpOverTls(), { url: at(image) })], {
        image,
        auth: AUTH,
        env: ENV,
        wait: { timeoutMs: 60_000 },
      }),
    );
    expect(error).toMatchObject({ code: "registry_invalid_response", retryable: false });
    expect(error.message).toBe(
      "registry registry.internal:5000 answered plain http over https (ERR_SSL_WRONG_VERSION_NUMBER); " +
        "set registries.registry.internal:5000.insecure: true if it is a plain-http registry",
    );
    expectNoSecrets(error);
  });

  it.each([connectionRefused(), connectionReset()])(
    "does not fall back for a registry that is neither loopback nor insecure when https fails (%s): retryable",
    async (failure) => {
      const error = await rejection(resolve([mockManifestHead(SHA, failure)], { auth: AUTH, env: ENV }));
      expect(error).toMatchObject({ code: "registry_unavailable", retryable: true });
      expect(error.message).toMatch(/^could not reach registry ghcr\.io: ECONN(REFUSED|RESET)$/);
    },
  );

  it.each([
    [404, "image_not_found"],
    [503, "registry_unavailable"],
    [400, "registry_invalid_response"],
  ])("never falls back on an HTTP answer over https (HTTP %i → %s)", async (status, code) => {
    const error = await rejection(resolve([mockManifestHead(SHA, { status }, { url: at(LOOPBACK) })], { image: LOOPBACK }));
    expect(error.code).toBe(code);
  });

  it("answers a challenge of a loopback TLS registry over https, credentials included", async () => {
    const result = await resolve(
      [
        mockManifestHead(SHA, basicChallenge(), { url: at(LOOPBACK) }),
        mockManifestHead(SHA, manifestFound(DIGEST), { url: at(LOOPBACK), authorization: basic("promoter-bot", PASSWORD) }),
      ],
      { image: LOOPBACK, auth: AUTH, env: ENV },
    );
    expect(result.requests).toBe(2);
  });

  it("never falls back on a certificate error: fails at once, pointing at NODE_EXTRA_CA_CERTS", async () => {
    const error = await rejection(
      resolve([mockManifestHead(SHA, untrustedCertificate(), { url: at(LOOPBACK) })], {
        image: LOOPBACK,
        wait: { timeoutMs: 60_000 },
      }),
    );
    expect(error).toMatchObject({ code: "registry_invalid_response", retryable: false });
    expect(error.message).toBe(
      "registry 127.0.0.1:5000 presented a TLS certificate this process does not accept " +
        "(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate); " +
        "if it is signed by a private CA, start the app with NODE_EXTRA_CA_CERTS set to that CA's PEM file",
    );
  });

  it("never falls back on a timeout or an unknown name", async () => {
    const timedOut = await rejection(
      resolve([mockManifestHead(SHA, "hang", { url: at(LOOPBACK) })], { image: LOOPBACK, requestTimeoutMs: 20 }),
    );
    expect(timedOut.message).toBe("registry 127.0.0.1:5000 did not answer within 20ms");
    registry?.assertDone();

    const image = "registry.internal/acme/core-api";
    const unknown = await rejection(
      resolve([mockManifestHead(SHA, fetchFailed("ENOTFOUND", "getaddrinfo ENOTFOUND registry.internal"), { url: at(image) })], {
        image,
        auth: { insecure: true },
      }),
    );
    expect(unknown).toMatchObject({ code: "registry_unavailable", message: "could not reach registry registry.internal: ENOTFOUND" });
  });

  it("says both failures when plain http fails too (retryable: the registry may be starting)", async () => {
    const error = await rejection(
      resolve(
        [
          mockManifestHead(SHA, connectionRefused("127.0.0.1:5000"), { url: at(LOOPBACK) }),
          mockManifestHead(SHA, connectionRefused("127.0.0.1:5000"), { url: at(LOOPBACK, "http") }),
        ],
        { image: LOOPBACK },
      ),
    );
    expect(error).toMatchObject({ code: "registry_unavailable", retryable: true });
    expect(error.message).toBe("could not reach registry 127.0.0.1:5000 over https (ECONNREFUSED) nor over plain http (ECONNREFUSED)");
  });

  it("stays on plain http for the rest of the call once it fell back (GET fallback, waits)", async () => {
    const body = '{"schemaVersion":2}';
    const computed = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const result = await resolve(
      [
        mockManifestHead(SHA, plainHttpOverTls(), { url: at(LOOPBACK) }),
        mockManifestHead(SHA, manifestUnknown(), { url: at(LOOPBACK, "http") }),
        mockManifestHead(SHA, { status: 200, headers: { "content-type": OCI_MANIFEST } }, { url: at(LOOPBACK, "http") }),
        { method: "GET", url: at(LOOPBACK, "http"), respond: { status: 200, headers: { "content-type": OCI_MANIFEST }, body } },
      ],
      { image: LOOPBACK, wait: { timeoutMs: 60_000 } },
    );
    expect(result).toMatchObject({ digest: computed, requests: 4 });
  });

  it("never downgrades a registry that answered over https, even when a later https attempt fails", async () => {
    const result = await resolve(
      [
        mockManifestHead(SHA, { status: 503 }, { url: at(LOOPBACK) }),
        mockManifestHead(SHA, connectionReset(), { url: at(LOOPBACK) }),
        mockManifestHead(SHA, manifestFound(DIGEST), { url: at(LOOPBACK) }),
      ],
      { image: LOOPBACK, wait: { timeoutMs: 60_000 } },
    );
    expect(result.requests).toBe(3);
  });
});
