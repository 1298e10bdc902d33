/**
 * The sample organisation the demo, the benchmark and the end-to-end tests run against:
 *
 * - acme/core-api and acme/web-ui: services, each with a few commits on main;
 * - acme/infra: the central config and envs/prod.tfvars;
 * - acme/contracts: the shared contracts package (when a npm registry is given);
 * - consumers of @acme/contracts (acme/billing-api, acme/checkout-web by default).
 */
import type { World } from "./world.js";

export const OLD_CORE_DIGEST = `sha256:${"1".repeat(64)}`;
export const OLD_WEB_DIGEST = `sha256:${"2".repeat(64)}`;

export interface SampleOrgOptions {
  installationId: number;
  /** Registry host[:port] the sample images live on, e.g. 127.0.0.1:5000 (plain http on loopback). */
  registryHost: string;
  /** npm registry URL for the contracts section; without it the config has no contracts. */
  npmRegistry?: string;
  /** Consumer repositories (acme/<name>) and their files; each must depend on @acme/contracts. */
  consumers?: Array<{ name: string; files: Record<string, string> }>;
}

export interface SampleOrg {
  installationId: number;
  /** Head of acme/core-api's main: what `core-v0.10.0` tags. */
  coreCommit: string;
  /** Head of acme/web-ui's main. */
  webCommit: string;
  /** Head of acme/contracts's main, when contracts are configured. */
  contractsCommit: string | undefined;
  consumers: string[];
  configText: string;
  prodTfvars: string;
}

export function sampleConfig(options: SampleOrgOptions): string {
  const lines = [
    "# Central config of release-promoter (the sample organisation).",
    "services:",
    "  core:",
    "    repository: acme/core-api",
    `    image: ${options.registryHost}/acme/core-api`,
    "    variable: core_image",
    "  web:",
    "    repository: acme/web-ui",
    `    image: ${options.registryHost}/acme/web-ui`,
    "    variable: web_image",
    "environments:",
    "  prod:",
    "    file: envs/prod.tfvars",
    "imageWaitSeconds: 0",
  ];
  if (options.npmRegistry !== undefined) {
    lines.push(
      "contracts:",
      "  repository: acme/contracts",
      '  package: "@acme/contracts"',
      `  registry: ${options.npmRegistry}`,
      "  publishWaitSeconds: 0",
      "  consumers:",
      ...(options.consumers ?? []).map((consumer) => `    - repository: acme/${consumer.name}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function sampleTfvars(options: SampleOrgOptions): string {
  return [
    "# Production. Each *_image line is owned by release-promoter; edit others freely.",
    'region = "eu-west-1"',
    "",
    `core_image = "${options.registryHost}/acme/core-api@${OLD_CORE_DIGEST}" # core-v0.9.0`,
    `web_image  = "${options.registryHost}/acme/web-ui@${OLD_WEB_DIGEST}" # web-v1.4.1`,
    "",
    "replicas = {",
    "  core_image = 3 # not the variable: a key inside a map",
    "}",
    "",
  ].join("\n");
}

/** Adds the sample repositories to the world; the caller pushes images for the returned commits. */
export function seedSampleOrg(world: World, options: SampleOrgOptions): SampleOrg {
  const installationId = options.installationId;
  const service = (name: string, language: string) => {
    world.addRepository({ fullName: `acme/${name}`, installationId, files: { "README.md": `# ${name}\n`, "Dockerfile": `FROM ${language}\n` } });
    world.commitOn(`acme/${name}`, { "src/health.txt": "ok\n" }, { message: "Add a health endpoint" });
    return world.commitOn(`acme/${name}`, { "CHANGELOG.md": `# ${name}\n\n- faster start\n` }, { message: `Release ${name}` });
  };
  const coreCommit = service("core-api", "golang:1.23");
  const webCommit = service("web-ui", "node:22");

  const configText = sampleConfig(options);
  const prodTfvars = sampleTfvars(options);
  world.addRepository({
    fullName: "acme/infra",
    installationId,
    files: { "README.md": "# infra\n", ".github/release-promoter.yml": configText, "envs/prod.tfvars": prodTfvars },
  });

  let contractsCommit: string | undefined;
  const consumers: string[] = [];
  if (options.npmRegistry !== undefined) {
    world.addRepository({
      fullName: "acme/contracts",
      installationId,
      files: { "package.json": `${JSON.stringify({ name: "@acme/contracts", version: "0.3.1" }, null, 2)}\n` },
    });
    contractsCommit = world.commitOn("acme/contracts", { "package.json": `${JSON.stringify({ name: "@acme/contracts", version: "0.3.2" }, null, 2)}\n` }, { message: "Release 0.3.2" });
    for (const consumer of options.consumers ?? []) {
      world.addRepository({ fullName: `acme/${consumer.name}`, installationId, files: consumer.files });
      consumers.push(`acme/${consumer.name}`);
    }
  }
  return { installationId, coreCommit, webCommit, contractsCommit, consumers, configText, prodTfvars };
}
