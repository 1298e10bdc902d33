/**
 * resolveDigest against Debian's real docker-registry (distribution 2.8.2): real blob uploads,
 * real manifests, OCI indexes and Docker manifest lists, then the same images behind token auth
 * (a JWT token server run by the test) and behind htpasswd Basic auth.
 *
 * Images are pushed once to an open registry; the token-auth and Basic-auth registries are
 * separate instances serving the same storage directory. Behind token auth, provider gar runs
 * end to end too: google-auth-library's real STS exchange with a local stand-in of Google's
 * token endpoint gives the access token that the token server grants pull to as the password
 * of oauth2accesstoken.
 *
 * Needs /usr/bin/docker-registry, htpasswd and openssl: `.ci/install-test-deps.sh`. Without them
 * this file fails (it never skips).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { PromoterError } from "../../src/errors.js";
import { ProviderTokenCache } from "../../src/registry/provider-token-cache.js";
import { resolveDigest } from "../../src/registry/resolve-digest.js";
import {
  INSTALL_HINT,
  MEDIA_TYPES,
  pushImage,
  pushIndex,
  requireDockerRegistry,
  sha256Digest,
  startOciRegistry,
  type BuiltManifest,
  type OciRegistry,
} from "../helpers/oci-registry.js";
import { promoterRejection, stsExchange, writeExternalAccount } from "./provider-mocks.js";
import { startTokenEndpointStandIn, type TokenEndpointStandIn } from "./token-endpoint-stand-in.js";
import { startTokenServer, type TokenServer } from "./token-server.js";


const REPOSITORY = "acme/core-api";
const COMMIT_SHA = "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a";
const AUTH = { usernameEnv: "RP_REGISTRY_USER", passwordEnv: "RP_REGISTRY_PASSWORD" };
const READER = { username: "ci-reader", password: "correct horse battery staple" };
const WRONG_PASSWORD = "wrong-password-value";
/** The Google access token the token server grants pull to (as oauth2accesstoken's password). */
const GOOGLE_ACCESS_TOKEN = "ya29.access-token-the-registry-knows";

interface Pushed {
  /** Tag → what we pushed and the digest the registry answered on the PUT. */
  tags: Record<string, { manifest: BuiltManifest; answered: string }>;
  platformDigests: string[];
}

interface Running {
  open: OciRegistry;
  tokenRegistry: OciRegistry;
  basicRegistry: OciRegistry;
  tokenServer: TokenServer;
  pushed: Pushed;
  /** Google's token endpoint, and the external_account file whose token_url it is. */
  google: TokenEndpointStandIn;
  googleCredentials: string;
}

let workDir: string | undefined;
const started: Array<{ stop(): Promise<void> }> = [];
let running: Running | undefined;
let setupError: unknown;

/**
 * The registries, or the reason they could not start. Every test calls this, so a missing
 * docker-registry makes every test FAIL with the install hint instead of being skipped.
 */
function ready(): Running {
  if (running === undefined) throw setupError ?? new Error("real-registry setup did not run");
  return running;
}

beforeAll(async () => {
  try {
    running = await startAll();
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

async function startAll(): Promise<Running> {
  requireDockerRegistry();
  for (const tool of ["/usr/bin/htpasswd", "/usr/bin/openssl"]) {
    if (!existsSync(tool)) throw new Error(`${tool} not found: ${INSTALL_HINT}`);
  }
  workDir = await mkdtemp(join(tmpdir(), "release-promoter-real-registry-"));
  const storageDir = join(workDir, "storage");

  const open = await startOciRegistry({ storageDir });
  started.push(open);
  const pushed = await pushFixtures(open.url);

  const tokenServer = await startTokenServer({
    dir: workDir,
    service: "release-promoter-test-registry",
    issuer: "release-promoter-test-issuer",
    users: {
      [READER.username]: { password: READER.password, actions: ["pull"] },
      oauth2accesstoken: { password: GOOGLE_ACCESS_TOKEN, actions: ["pull"] },
    },
  });
  started.push(tokenServer);
  const htpasswdPath = join(workDir, "htpasswd");
  const { stdout } = await execFileWithInput("htpasswd", ["-niB", READER.username], READER.password);
  await writeFile(htpasswdPath, stdout);

  // Same storage, separate instances: the images pushed above, now behind auth.
  const tokenRegistry = await startOciRegistry({
    storageDir,
    auth: {
      token: {
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootCertBundle: tokenServer.certPath,
      },
    },
  });
  started.push(tokenRegistry);
  const basicRegistry = await startOciRegistry({
    storageDir,
    auth: { htpasswd: { realm: "release-promoter test", path: htpasswdPath } },
  });
  started.push(basicRegistry);
  const google = await startTokenEndpointStandIn();
  started.push(google);
  const googleCredentials = await writeExternalAccount(workDir, `${google.url}/v1/token`);
  return { open, tokenRegistry, basicRegistry, tokenServer, pushed, google, googleCredentials };
}

async function pushFixtures(url: string): Promise<Pushed> {
  const tags: Pushed["tags"] = {};
  const platformDigests: string[] = [];
  const platforms = [
    { os: "linux", architecture: "amd64" },
    { os: "linux", architecture: "arm64", variant: "v8" },
  ];

  for (const format of ["oci", "docker"] as const) {
    // (a) OCI image index / (b) Docker manifest list over two platform manifests pushed by digest.
    const manifests = [];
    for (const platform of platforms) {
      const image = await pushImage(url, REPOSITORY, {
        format,
        platform,
        files: { "app/VERSION": `core-api ${format} ${platform.os}/${platform.architecture}\n` },
      });
      platformDigests.push(image.digest);
      manifests.push(image.descriptor);
    }
    const tag = format === "oci" ? COMMIT_SHA : "docker-list";
    const index = await pushIndex(url, REPOSITORY, { format, manifests, reference: tag });
    tags[tag] = { manifest: index, answered: index.answeredDigest };

    // (c) single-platform image manifests, pushed by tag.
    const singleTag = format === "oci" ? "oci-single" : "docker-single";
    const single = await pushImage(url, REPOSITORY, {
      format,
      platform: { os: "linux", architecture: "amd64" },
      files: { "app/VERSION": `core-api ${format} single\n` },
      reference: singleTag,
    });
    tags[singleTag] = { manifest: single, answered: single.digest };
  }
  return { tags, platformDigests };
}

describe("real docker-registry, no auth", () => {
  it.each([
    [COMMIT_SHA, MEDIA_TYPES.ociIndex],
    ["docker-list", MEDIA_TYPES.dockerList],
    ["oci-single", MEDIA_TYPES.ociManifest],
    ["docker-single", MEDIA_TYPES.dockerManifest],
  ])("resolves %s to the digest the registry answered on the PUT (%s)", async (tag, mediaType) => {
    const { open, pushed } = ready();
    const { manifest, answered } = pushed.tags[tag]!;
    const result = await resolveDigest({ image: `${open.host}/${REPOSITORY}`, reference: tag, env: {} });
    expect(result).toEqual({
      digest: answered,
      mediaType,
      registry: open.host,
      repository: REPOSITORY,
      requests: 2, // https first (refused at the TLS handshake: plain http), then plain http
    });
    expect(result.digest).toBe(sha256Digest(manifest.bytes));
  });

  it("resolves a multi-arch tag to the index digest, never a platform's", async () => {
    const { open, pushed } = ready();
    for (const tag of [COMMIT_SHA, "docker-list"]) {
      const result = await resolveDigest({ image: `${open.host}/${REPOSITORY}`, reference: tag, env: {} });
      expect(pushed.platformDigests).not.toContain(result.digest);
      expect(result.digest).toBe(pushed.tags[tag]!.answered);
    }
    expect(new Set(pushed.platformDigests).size).toBe(4);
  });

  it("fails with image_not_found naming image:tag and the registry", async () => {
    const { open } = ready();
    const error = await resolveDigest({
      image: `${open.host}/${REPOSITORY}`,
      reference: "never-pushed",
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromoterError);
    expect(error).toMatchObject({ code: "image_not_found", retryable: true });
    expect((error as Error).message).toBe(
      `image ${open.host}/${REPOSITORY}:never-pushed not found in registry ${open.host} (HTTP 404); did CI push it?`,
    );
  });

  it("waits for an image that CI pushes while we wait", async () => {
    const { open } = ready();
    const waits: number[] = [];
    let pushedLate: BuiltManifest | undefined;
    const result = await resolveDigest({
      image: `${open.host}/${REPOSITORY}`,
      reference: "pushed-late",
      env: {},
      wait: { timeoutMs: 10_000, initialDelayMs: 20, maxDelayMs: 100 },
      onWait: async ({ attempt, error }) => {
        waits.push(attempt);
        expect(error.code).toBe("image_not_found");
        if (attempt === 2) {
          pushedLate = await pushImage(open.url, REPOSITORY, {
            format: "oci",
            platform: { os: "linux", architecture: "amd64" },
            files: { "app/VERSION": "pushed late\n" },
            reference: "pushed-late",
          });
        }
      },
    });
    expect(waits).toEqual([1, 2]);
    expect(result.digest).toBe(pushedLate!.digest);
    expect(result.requests).toBe(4); // https once, then plain http for every attempt of this call
  });

  it("gives up after the wait with a message that says how long it waited", async () => {
    const { open } = ready();
    const error = await resolveDigest({
      image: `${open.host}/${REPOSITORY}`,
      reference: "still-missing",
      env: {},
      wait: { timeoutMs: 200, initialDelayMs: 20, maxDelayMs: 50 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "image_not_found" });
    expect((error as Error).message).toBe(
      `no image ${open.host}/${REPOSITORY}:still-missing after 200ms; did CI push it? (registry ${open.host} answered 404)`,
    );
  });
});

describe("real docker-registry, token auth", () => {
  it("resolves with credentials from env vars, via a pull token", async () => {
    const { tokenRegistry, tokenServer, pushed } = ready();
    const before = tokenServer.requests.length;
    const result = await resolveDigest({
      image: `${tokenRegistry.host}/${REPOSITORY}`,
      reference: COMMIT_SHA,
      auth: AUTH,
      env: { RP_REGISTRY_USER: READER.username, RP_REGISTRY_PASSWORD: READER.password },
    });
    expect(result.digest).toBe(pushed.tags[COMMIT_SHA]!.answered);
    expect(result.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(result.requests).toBe(4); // HEAD over https fails, HEAD 401, token, HEAD with the token
    expect(tokenServer.requests.slice(before)).toEqual([
      {
        credential: READER.username,
        service: "release-promoter-test-registry",
        scopes: [`repository:${REPOSITORY}:pull`],
        status: 200,
      },
    ]);
  });

  it("resolves every kind of manifest behind token auth", async () => {
    const { tokenRegistry, pushed } = ready();
    for (const [tag, { answered }] of Object.entries(pushed.tags)) {
      const result = await resolveDigest({
        image: `${tokenRegistry.host}/${REPOSITORY}`,
        reference: tag,
        auth: AUTH,
        env: { RP_REGISTRY_USER: READER.username, RP_REGISTRY_PASSWORD: READER.password },
      });
      expect(result.digest).toBe(answered);
    }
  });

  it("refuses anonymous access with registry_unauthorized naming 'anonymous'", async () => {
    const { tokenRegistry } = ready();
    const error = await resolveDigest({
      image: `${tokenRegistry.host}/${REPOSITORY}`,
      reference: COMMIT_SHA,
      env: {},
      wait: { timeoutMs: 10_000 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "registry_unauthorized", retryable: false });
    const message = (error as Error).message;
    expect(message).toContain(`registry ${tokenRegistry.host}`);
    expect(message).toContain("credential: anonymous");
  });

  it("refuses wrong credentials with registry_unauthorized naming the env vars, not the secret", async () => {
    const { tokenRegistry } = ready();
    const error = await resolveDigest({
      image: `${tokenRegistry.host}/${REPOSITORY}`,
      reference: COMMIT_SHA,
      auth: AUTH,
      env: { RP_REGISTRY_USER: READER.username, RP_REGISTRY_PASSWORD: WRONG_PASSWORD },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "registry_unauthorized" });
    const message = (error as Error).message;
    expect(message).toContain(tokenRegistry.host);
    expect(message).toContain("RP_REGISTRY_USER/RP_REGISTRY_PASSWORD");
    expect(message).not.toContain(WRONG_PASSWORD);
  });
});

describe("real docker-registry, htpasswd Basic auth", () => {
  it("resolves with correct credentials from env vars", async () => {
    const { basicRegistry, pushed } = ready();
    const result = await resolveDigest({
      image: `${basicRegistry.host}/${REPOSITORY}`,
      reference: "docker-list",
      auth: AUTH,
      env: { RP_REGISTRY_USER: READER.username, RP_REGISTRY_PASSWORD: READER.password },
    });
    expect(result.digest).toBe(pushed.tags["docker-list"]!.answered);
    expect(result.requests).toBe(3); // HEAD over https fails, HEAD 401 Basic challenge, HEAD with credentials
  });

  it("refuses wrong credentials with registry_unauthorized naming the env vars, not the secret", async () => {
    const { basicRegistry } = ready();
    const error = await resolveDigest({
      image: `${basicRegistry.host}/${REPOSITORY}`,
      reference: "docker-list",
      auth: AUTH,
      env: { RP_REGISTRY_USER: READER.username, RP_REGISTRY_PASSWORD: WRONG_PASSWORD },
      wait: { timeoutMs: 10_000 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "registry_unauthorized", retryable: false });
    const message = (error as Error).message;
    expect(message).toContain(`registry ${basicRegistry.host}`);
    expect(message).toContain("RP_REGISTRY_USER/RP_REGISTRY_PASSWORD");
    expect(message).not.toContain(WRONG_PASSWORD);
  });

  it("refuses anonymous access naming 'anonymous'", async () => {
    const { basicRegistry } = ready();
    const error = await resolveDigest({
      image: `${basicRegistry.host}/${REPOSITORY}`,
      reference: "docker-list",
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "registry_unauthorized" });
    expect((error as Error).message).toContain("credential: anonymous");
  });
});

function execFileWithInput(command: string, args: string[], input: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env: { PATH: "/usr/bin:/bin" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${stderr || error.message}`));
      else resolve({ stdout });
    });
    child.stdin?.end(input);
  });
}


describe("real docker-registry, token auth, provider gar", () => {
  beforeEach(() => {
    if (running === undefined) return;
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", running.googleCredentials);
    vi.stubEnv("METADATA_SERVER_DETECTION", "none");
    vi.stubEnv("GCE_METADATA_HOST", undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    running?.google.assertDone();
  });

  function resolveWithGar(tokens: ProviderTokenCache) {
    const { tokenRegistry } = ready();
    return resolveDigest({ image: `${tokenRegistry.host}/${REPOSITORY}`, reference: COMMIT_SHA, auth: { provider: "gar" }, providerTokens: tokens });
  }

  it("resolves with the ADC access token at the token realm, fetching it once for two resolutions", async () => {
    const { google, tokenServer, pushed } = ready();
    const tokens = new ProviderTokenCache();
    google.expect(stsExchange(GOOGLE_ACCESS_TOKEN));
    tokenServer.requests.splice(0);

    expect(await resolveWithGar(tokens)).toMatchObject({ digest: pushed.tags[COMMIT_SHA]!.answered });
    expect(await resolveWithGar(tokens)).toMatchObject({ digest: pushed.tags[COMMIT_SHA]!.answered });
    expect(google.received).toHaveLength(1);
    expect(tokenServer.requests.map(({ credential, scopes, status }) => ({ credential, scopes, status }))).toEqual([
      { credential: "oauth2accesstoken", scopes: [`repository:${REPOSITORY}:pull`], status: 200 },
      { credential: "oauth2accesstoken", scopes: [`repository:${REPOSITORY}:pull`], status: 200 },
    ]);
  });

  it("fails closed when the token realm refuses the provider's token, naming the provider, and fetches a new one next time", async () => {
    const { google, pushed } = ready();
    const tokens = new ProviderTokenCache();
    google.expect(stsExchange("ya29.a-token-the-registry-does-not-know"));
    const error = await promoterRejection(resolveWithGar(tokens));
    expect(error.code).toBe("registry_unauthorized");
    expect(error.message).toContain(`refused a pull token for ${REPOSITORY} (HTTP 401; credential: provider gar (Google Application Default Credentials))`);
    expect(error.message).toContain(`check that the Google identity of Application Default Credentials has roles/artifactregistry.reader for ${REPOSITORY}`);
    expect(error.message).not.toContain("ya29.");

    google.expect(stsExchange(GOOGLE_ACCESS_TOKEN));
    expect(await resolveWithGar(tokens)).toMatchObject({ digest: pushed.tags[COMMIT_SHA]!.answered });
  });
});
