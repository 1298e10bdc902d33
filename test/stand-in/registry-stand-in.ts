/**
 * A minimal OCI registry for the demo on machines without Debian's `docker-registry`: the
 * read side of the distribution API the app uses (GET /v2/, HEAD and GET of manifests by tag or
 * digest, with Docker-Content-Digest), anonymous, on 127.0.0.1. Tests use the real registry.
 */
import { createHash } from "node:crypto";
import { type Server, createServer } from "node:http";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export interface RegistryStandIn {
  host: string;
  url: string;
  /** Stores a small OCI image manifest under `repository:tag`; returns its digest. */
  addImage(repository: string, tag: string, label: string): string;
  stop(): Promise<void>;
}

export async function startRegistryStandIn(): Promise<RegistryStandIn> {
  const manifests = new Map<string, Buffer>(); // "repo@digest" and "repo:tag" → bytes
  const server: Server = createServer((request, response) => {
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(request.url ?? "");
    if (request.url === "/v2/" || request.url === "/v2") {
      response.writeHead(200, { "docker-distribution-api-version": "registry/2.0", "content-type": "application/json" });
      return response.end("{}");
    }
    const bytes = match === null ? undefined : manifests.get(`${match[1]}${match[2]!.startsWith("sha256:") ? "@" : ":"}${match[2]}`);
    if (bytes === undefined || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "content-type": "application/json" });
      return response.end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));
    }
    response.writeHead(200, {
      "content-type": OCI_MANIFEST,
      "content-length": String(bytes.length),
      "docker-content-digest": `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
      "docker-distribution-api-version": "registry/2.0",
    });
    response.end(request.method === "HEAD" ? undefined : bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    addImage(repository, tag, label) {
      const descriptor = (mediaType: string, text: string) => ({
        mediaType,
        digest: `sha256:${createHash("sha256").update(text).digest("hex")}`,
        size: Buffer.byteLength(text),
      });
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: descriptor("application/vnd.oci.image.config.v1+json", JSON.stringify({ architecture: "amd64", os: "linux", label })),
          layers: [descriptor("application/vnd.oci.image.layer.v1.tar+gzip", label)],
        }),
      );
      const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
      manifests.set(`${repository}:${tag}`, bytes);
      manifests.set(`${repository}@${digest}`, bytes);
      return digest;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
