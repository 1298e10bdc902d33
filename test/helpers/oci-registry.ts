/**
 * Starts Debian's real `docker-registry` (distribution 2.8) for tests, and pushes real images to
 * it with the OCI distribution API: blob uploads (POST then PUT ?digest=), config blobs and
 * gzipped tar layers, image manifests, OCI indexes and Docker manifest lists.
 *
 * Each registry listens on 127.0.0.1 on a port chosen at run time, with no other listener (no
 * debug/prometheus server), storage in a temp dir, and a config written to a temp dir; over
 * plain http, or over TLS with a certificate the test made (`tls`). It is
 * spawned so that it cannot outlive the test process (PR_SET_PDEATHSIG via setpriv, plus an
 * exit hook), and `stop()` ends it.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { httpProbe, spawnTestServer, startOnFreePort } from "./test-server.js";

/** Debian's path; DOCKER_REGISTRY_BIN overrides it (another install, or proving the failure). */
export const DOCKER_REGISTRY_BIN = process.env["DOCKER_REGISTRY_BIN"] ?? "/usr/bin/docker-registry";

export const INSTALL_HINT =
  "run .ci/install-test-deps.sh as root (it apt-get installs docker-registry, apache2-utils and openssl)";

/** Fails (never skips) when the registry binary is missing, saying how to install it. */
export function requireDockerRegistry(): void {
  if (!existsSync(DOCKER_REGISTRY_BIN)) {
    throw new Error(`${DOCKER_REGISTRY_BIN} not found: the real-registry tests need Debian's docker-registry; ${INSTALL_HINT}`);
  }
}

export type OciRegistryAuth =
  | { htpasswd: { realm: string; path: string } }
  | { token: { realm: string; service: string; issuer: string; rootCertBundle: string } };

export interface StartOciRegistryOptions {
  /** Filesystem storage root; several registries may share one (e.g. one open, one with auth). */
  storageDir: string;
  auth?: OciRegistryAuth;
  /**
   * Serve TLS only (distribution's http.tls), with these PEM files (kept in a temp dir, never
   * the project root). The certificate must name 127.0.0.1 (subjectAltName IP:127.0.0.1).
   */
  tls?: { certificatePath: string; keyPath: string };
}

export interface OciRegistry {
  /** "127.0.0.1:<port>", as written in an image name. */
  host: string;
  /** "http://127.0.0.1:<port>", or "https://…" with `tls`. */
  url: string;
  port: number;
  /** What the registry wrote to stdout/stderr (last 256 KiB), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startOciRegistry(options: StartOciRegistryOptions): Promise<OciRegistry> {
  requireDockerRegistry();
  return startOnFreePort((port) => startOnce(options, port));
}

async function startOnce(options: StartOciRegistryOptions, port: number): Promise<OciRegistry> {
  const configDir = await mkdtemp(join(tmpdir(), "release-promoter-registry-config-"));
  const configPath = join(configDir, "config.yml");
  const config = {
    version: 0.1,
    log: { level: "info", formatter: "text", accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: options.storageDir },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // Only `addr`: no `debug` section, so no debug/prometheus listener.
    http: {
      addr: `127.0.0.1:${port}`,
      secret: randomBytes(16).toString("hex"),
      ...(options.tls === undefined ? {} : { tls: { certificate: options.tls.certificatePath, key: options.tls.keyPath } }),
    },
    ...(options.auth === undefined ? {} : { auth: registryAuthConfig(options.auth) }),
  };
  // JSON is YAML; no quoting surprises.
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const url = `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
  const server = await spawnTestServer({
    name: "docker-registry",
    command: DOCKER_REGISTRY_BIN,
    args: ["serve", configPath],
    // A minimal environment: no REGISTRY_* overrides leak in, and no secrets of ours go out.
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    // A TLS registry is probed over plain http, which needs no trust in its CA: Go's server
    // answers it "400 Client sent an HTTP request to an HTTPS server" once it listens.
    probe: httpProbe(`http://127.0.0.1:${port}/v2/`, (status) => (options.tls === undefined ? status === 200 || status === 401 : status === 400)),
    readyTimeoutMs: 15_000,
    pollMs: 25,
    cleanup: () => rm(configDir, { recursive: true, force: true }),
  });
  return { host: `127.0.0.1:${port}`, url, port, logs: server.logs, stop: server.stop };
}

function registryAuthConfig(auth: OciRegistryAuth): Record<string, unknown> {
  if ("htpasswd" in auth) return { htpasswd: { realm: auth.htpasswd.realm, path: auth.htpasswd.path } };
  return {
    token: {
      realm: auth.token.realm,
      service: auth.token.service,
      issuer: auth.token.issuer,
      rootcertbundle: auth.token.rootCertBundle,
    },
  };
}

// Pushing real content with the distribution API.

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export function descriptorOf(mediaType: string, bytes: Uint8Array, platform?: Platform): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.byteLength, ...(platform ? { platform } : {}) };
}

/** Options for pushes to a registry that needs credentials (e.g. an admin token). */
export interface PushOptions {
  headers?: Record<string, string>;
}

/** Monolithic upload in two steps: POST /v2/<name>/blobs/uploads/, then PUT <location>&digest=. */
export async function pushBlob(
  registryUrl: string,
  repository: string,
  bytes: Uint8Array,
  options: PushOptions = {},
): Promise<string> {
  const digest = sha256Digest(bytes);
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
    method: "POST",
    headers: { ...options.headers, "content-length": "0" },
  });
  await expectStatus(start, 202, `POST blob upload to ${repository}`);
  const location = start.headers.get("location");
  if (location === null) throw new Error(`POST blob upload to ${repository}: no Location header`);
  const uploadUrl = new URL(location, registryUrl);
  uploadUrl.searchParams.set("digest", digest);
  const put = await fetch(uploadUrl, {
    method: "PUT",
    headers: { ...options.headers, "content-type": "application/octet-stream" },
    body: new Uint8Array(bytes),
  });
  await expectStatus(put, 201, `PUT blob ${digest} to ${repository}`);
  const stored = put.headers.get("docker-content-digest");
  if (stored !== digest) throw new Error(`PUT blob: registry says ${stored}, we pushed ${digest}`);
  return digest;
}

/** PUT /v2/<name>/manifests/<reference>; returns the Docker-Content-Digest the registry answered. */
export async function pushManifest(
  registryUrl: string,
  repository: string,
  reference: string,
  mediaType: string,
  bytes: Uint8Array,
  options: PushOptions = {},
): Promise<string> {
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
    method: "PUT",
    headers: { ...options.headers, "content-type": mediaType },
    body: new Uint8Array(bytes),
  });
  await expectStatus(response, 201, `PUT manifest ${repository}:${reference}`);
  const digest = response.headers.get("docker-content-digest");
  if (digest === null) throw new Error(`PUT manifest ${repository}:${reference}: no Docker-Content-Digest`);
  return digest;
}

export interface BuiltManifest {
  mediaType: string;
  bytes: Uint8Array;
  digest: string;
  descriptor: Descriptor;
}

export type ImageFormat = "oci" | "docker";

/**
 * Pushes a single-platform image: a gzipped tar layer holding `files`, a config blob whose
 * rootfs.diff_ids is the layer's uncompressed digest, and the image manifest (by `reference`,
 * a tag or its own digest). Returns the manifest as pushed.
 */
export async function pushImage(
  registryUrl: string,
  repository: string,
  options: { format: ImageFormat; platform: Platform; files: Record<string, string>; reference?: string },
  push: PushOptions = {},
): Promise<BuiltManifest> {
  const oci = options.format === "oci";
  const tar = buildTar(options.files);
  const layer = gzipSync(tar);
  const config = encode({
    created: "2025-01-01T00:00:00Z",
    architecture: options.platform.architecture,
    os: options.platform.os,
    ...(options.platform.variant ? { variant: options.platform.variant } : {}),
    config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin"], Cmd: ["/bin/app"] },
    rootfs: { type: "layers", diff_ids: [sha256Digest(tar)] },
    history: [{ created: "2025-01-01T00:00:00Z", created_by: "release-promoter test fixture" }],
  });
  await pushBlob(registryUrl, repository, config, push);
  await pushBlob(registryUrl, repository, layer, push);

  const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const bytes = encode({
    schemaVersion: 2,
    mediaType,
    config: descriptorOf(oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig, config),
    layers: [descriptorOf(oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer, layer)],
  });
  const digest = sha256Digest(bytes);
  const answered = await pushManifest(registryUrl, repository, options.reference ?? digest, mediaType, bytes, push);
  if (answered !== digest) throw new Error(`registry answered ${answered} for a manifest whose bytes hash to ${digest}`);
  return { mediaType, bytes, digest, descriptor: descriptorOf(mediaType, bytes, options.platform) };
}

/** Pushes an OCI image index or a Docker manifest list over already pushed platform manifests. */
export async function pushIndex(
  registryUrl: string,
  repository: string,
  options: { format: ImageFormat; manifests: Descriptor[]; reference: string },
  push: PushOptions = {},
): Promise<BuiltManifest & { answeredDigest: string }> {
  const mediaType = options.format === "oci" ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerList;
  const bytes = encode({ schemaVersion: 2, mediaType, manifests: options.manifests });
  const digest = sha256Digest(bytes);
  const answeredDigest = await pushManifest(registryUrl, repository, options.reference, mediaType, bytes, push);
  return { mediaType, bytes, digest, answeredDigest, descriptor: descriptorOf(mediaType, bytes) };
}

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2));
}

/** A POSIX ustar archive of regular files (mode 0644, mtime 0), as an image layer holds. */
export function buildTar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const content = Buffer.from(text, "utf8");
    if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
    const header = Buffer.alloc(512);
    const field = (offset: number, length: number, value: string): void => {
      header.write(value, offset, length, "ascii");
    };
    const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, "0")}\0`;
    field(0, 100, name);
    field(100, 8, octal(0o644, 8));
    field(108, 8, octal(0, 8));
    field(116, 8, octal(0, 8));
    field(124, 12, octal(content.byteLength, 12));
    field(136, 12, octal(0, 12));
    field(148, 8, "        "); // checksum is computed with this field as spaces
    field(156, 1, "0");
    field(257, 6, "ustar\0");
    field(263, 2, "00");
    field(265, 32, "root");
    field(297, 32, "root");
    let checksum = 0;
    for (const byte of header) checksum += byte;
    field(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header, content, Buffer.alloc((512 - (content.byteLength % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status === status) {
    await response.body?.cancel();
    return;
  }
  const body = await response.text().catch(() => "");
  throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${body.slice(0, 500)}`);
}
