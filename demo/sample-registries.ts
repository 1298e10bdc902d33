/**
 * The registries of the demo's sample organisation: an OCI registry holding the images CI
 * built for the sample commits (Debian's docker-registry when installed, else a minimal
 * stand-in), and verdaccio (a devDependency) holding @acme/contracts, with the consumers'
 * lockfiles made by the real npm against it.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOCKER_REGISTRY_BIN, pushImage, startOciRegistry } from "../test/helpers/oci-registry.js";
import { type Verdaccio, startVerdaccio } from "../test/helpers/verdaccio.js";
import { startRegistryStandIn } from "../test/stand-in/registry-stand-in.js";

export interface ImageRegistry {
  host: string;
  /** http://host, for the distribution API. */
  url: string;
  kind: string;
  /** Pushes the image CI would build for `commit` (tagged with the commit id); returns its digest. */
  pushFor(repository: string, commit: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startImageRegistry(): Promise<ImageRegistry> {
  if (existsSync(DOCKER_REGISTRY_BIN)) {
    const storage = await mkdtemp(join(tmpdir(), "release-promoter-demo-registry-"));
    const registry = await startOciRegistry({ storageDir: storage });
    return {
      host: registry.host,
      url: registry.url,
      kind: `Debian's docker-registry (${DOCKER_REGISTRY_BIN})`,
      async pushFor(repository, commit) {
        const image = await pushImage(registry.url, repository, {
          format: "oci",
          platform: { os: "linux", architecture: "amd64" },
          files: { "app/COMMIT": `${commit}\n` },
          reference: commit,
        });
        return image.digest;
      },
      async stop() {
        await registry.stop();
        await rm(storage, { recursive: true, force: true });
      },
    };
  }
  const registry = await startRegistryStandIn();
  return {
    host: registry.host,
    url: registry.url,
    kind: "minimal registry stand-in (docker-registry is not installed)",
    pushFor: async (repository, commit) => registry.addImage(repository, commit, `${repository}@${commit}`),
    stop: () => registry.stop(),
  };
}

export interface ContractsRegistry {
  url: string;
  verdaccio: Verdaccio;
  /** package.json and package-lock.json of a consumer of @acme/contracts@^0.3.1, locked by npm. */
  consumerFiles(name: string): Promise<Record<string, string>>;
  /** CI publishes the release the tag names. */
  publishRelease(): Promise<void>;
  stop(): Promise<void>;
}

export async function startContractsRegistry(): Promise<ContractsRegistry> {
  const verdaccio = await startVerdaccio();
  await verdaccio.publish({ name: "@acme/contracts", version: "0.3.1" });
  return {
    url: verdaccio.url,
    verdaccio,
    async consumerFiles(name) {
      const dir = await mkdtemp(join(tmpdir(), "release-promoter-demo-consumer-"));
      const packageJson = `${JSON.stringify({ name, version: "1.0.0", private: true, dependencies: { "@acme/contracts": "^0.3.1" } }, null, 2)}\n`;
      await writeFile(join(dir, "package.json"), packageJson);
      await verdaccio.npm(dir, ["install", "--package-lock-only", "--ignore-scripts", "--registry", verdaccio.url]);
      const files = { "package.json": packageJson, "package-lock.json": await readFile(join(dir, "package-lock.json"), "utf8") };
      await rm(dir, { recursive: true, force: true });
      return files;
    },
    publishRelease: () => verdaccio.publish({ name: "@acme/contracts", version: "0.3.2" }),
    stop: () => verdaccio.stop(),
  };
}
