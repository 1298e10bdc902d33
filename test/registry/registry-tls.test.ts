/**
 * A registry on a loopback address that serves TLS: Debian's real docker-registry with a
 * certificate signed by a private CA the test makes (openssl, temp dir).
 *
 * The app resolves with Node's global fetch (undici), which reads NODE_EXTRA_CA_CERTS once, at
 * process start; so every resolution here runs in a child node process (tsx) whose whole
 * environment we choose: with NODE_EXTRA_CA_CERTS pointing at the CA the digest resolves over
 * https, without it the https attempt fails on the certificate and the result is a clear error
 * (never a success, never a quiet switch to plain http). Images are pushed by a child that
 * trusts the CA, so the file needs one registry.
 *
 * Needs /usr/bin/docker-registry and openssl: `.ci/install-test-deps.sh`. Without them this
 * file fails (it never skips).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTALL_HINT, MEDIA_TYPES, requireDockerRegistry, startOciRegistry, type OciRegistry } from "../helpers/oci-registry.js";
import { makeTestCa, type TestCa } from "./test-ca.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REPOSITORY = "acme/core-api";
const COMMIT_SHA = "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a";

interface Running {
  registry: OciRegistry;
  ca: TestCa;
  /** The index digest the registry answered on the PUT of COMMIT_SHA. */
  indexDigest: string;
  platformDigests: string[];
}

let workDir: string | undefined;
let registry: OciRegistry | undefined;
let running: Running | undefined;
let setupError: unknown;

function ready(): Running {
  if (running === undefined) throw setupError ?? new Error("TLS registry setup did not run");
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
  await registry?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

async function startAll(): Promise<Running> {
  requireDockerRegistry();
  if (!existsSync("/usr/bin/openssl")) throw new Error(`/usr/bin/openssl not found: ${INSTALL_HINT}`);
  workDir = await mkdtemp(join(tmpdir(), "release-promoter-registry-tls-"));
  const ca = await makeTestCa(workDir);
  await writeFile(join(workDir, "child.mts"), CHILD_SCRIPT);
  registry = await startOciRegistry({
    storageDir: join(workDir, "storage"),
    tls: { certificatePath: ca.certificatePath, keyPath: ca.keyPath },
  });
  const pushed = await inChild<{ indexDigest: string; platformDigests: string[] }>(
    { action: "push", registryUrl: registry.url, repository: REPOSITORY, reference: COMMIT_SHA },
    { NODE_EXTRA_CA_CERTS: ca.caPath },
  );
  if (!pushed.ok) throw new Error(`pushing to the TLS registry failed: ${pushed.error.message}\n${registry.logs()}`);
  return { registry, ca, ...pushed.value };
}

/** Runs in the child: push fixtures, or resolve a digest with the app's resolveDigest. */
const CHILD_SCRIPT = `
import { resolveDigest } from ${JSON.stringify(join(ROOT, "src/registry/resolve-digest.ts"))};
import { pushImage, pushIndex } from ${JSON.stringify(join(ROOT, "test/helpers/oci-registry.ts"))};
const input = JSON.parse(process.argv[2]);
let answer;
try {
  if (input.action === "push") {
    const manifests = [];
    for (const architecture of ["amd64", "arm64"]) {
      const image = await pushImage(input.registryUrl, input.repository, {
        format: "oci", platform: { os: "linux", architecture }, files: { "app/VERSION": "tls " + architecture + "\\n" },
      });
      manifests.push(image.descriptor);
    }
    const index = await pushIndex(input.registryUrl, input.repository, { format: "oci", manifests, reference: input.reference });
    answer = { ok: true, value: { indexDigest: index.answeredDigest, platformDigests: manifests.map((m) => m.digest) } };
  } else {
    answer = { ok: true, value: await resolveDigest({ image: input.image, reference: input.reference, env: {}, requestTimeoutMs: 5000 }) };
  }
} catch (error) {
  answer = { ok: false, error: { name: error.name, code: error.code, retryable: error.retryable, message: error.message } };
}
process.stdout.write(JSON.stringify(answer));
`;

type ChildAnswer<T> =
  | { ok: true; value: T }
  | { ok: false; error: { name: string; code?: string; retryable?: boolean; message: string } };

/** A child node process with exactly this environment (PATH plus `env`): nothing of ours leaks in. */
function inChild<T>(input: Record<string, string>, env: Record<string, string>): Promise<ChildAnswer<T>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(workDir!, "child.mts"), JSON.stringify(input)],
      { cwd: ROOT, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`child node failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ChildAnswer<T>);
      },
    );
  });
}

function resolveInChild(env: Record<string, string>) {
  const { registry } = ready();
  return inChild<{ digest: string; mediaType: string; registry: string; repository: string; requests: number }>(
    { action: "resolve", image: `${registry.host}/${REPOSITORY}`, reference: COMMIT_SHA },
    env,
  );
}

describe("a loopback registry that serves TLS, with a private CA", () => {
  it("resolves over https when NODE_EXTRA_CA_CERTS names the CA: one request, no plain http", async () => {
    const { ca, registry, indexDigest, platformDigests } = ready();
    const answer = await resolveInChild({ NODE_EXTRA_CA_CERTS: ca.caPath });
    expect(answer).toEqual({
      ok: true,
      value: {
        digest: indexDigest,
        mediaType: MEDIA_TYPES.ociIndex,
        registry: registry.host,
        repository: REPOSITORY,
        requests: 1,
      },
    });
    expect(platformDigests).not.toContain(indexDigest);
  });

  it("without NODE_EXTRA_CA_CERTS, fails on the certificate with an error that says what to do", async () => {
    const { registry } = ready();
    const answer = await resolveInChild({});
    expect(answer).toEqual({
      ok: false,
      error: {
        name: "PromoterError",
        code: "registry_invalid_response",
        retryable: false,
        message:
          `registry ${registry.host} presented a TLS certificate this process does not accept ` +
          "(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate); " +
          "if it is signed by a private CA, start the app with NODE_EXTRA_CA_CERTS set to that CA's PEM file",
      },
    });
  });

  it("the registry serves TLS only: plain http to it is refused (what a blind fallback would have met)", async () => {
    const { registry } = ready();
    const response = await fetch(`http://${registry.host}/v2/`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Client sent an HTTP request to an HTTPS server");
  });
});
