/**
 * Editors and the app agree: every config of the table gets the same verdict from the committed
 * JSON Schema (as an editor's validator reads it) and from the app's zod schema. The rules JSON
 * Schema cannot express are a second table: the app refuses them, the editor cannot, and each
 * is one of ZOD_ONLY_RULES (which the README lists).
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ZOD_ONLY_RULES } from "../../src/config/config-json-schema.js";
import { configSchema } from "../../src/config/config.schema.js";

const schema = JSON.parse(readFileSync(new URL("../../schema/release-promoter.schema.json", import.meta.url), "utf8")) as object;
const editor = new Ajv2020({ strict: false }).compile(schema);
const app = (config: unknown) => configSchema.safeParse(config).success;

const service = "{ repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image }";
const prod = "prod: { file: envs/prod.tfvars }";
const contracts = 'contracts: { repository: acme/contracts, package: "@acme/contracts" }';

const SAME_VERDICT: Array<[string, boolean, string]> = [
  ["a service and an environment", true, `services: { core: ${service} }\nenvironments: { ${prod} }`],
  ["contracts only", true, contracts],
  ["contracts with services", true, `services: { core: ${service} }\nenvironments: { ${prod} }\n${contracts}`],
  ["nothing at all", false, "imageWaitSeconds: 10"],
  ["empty services and no contracts", false, "services: {}\nenvironments: {}"],
  ["services without environments", false, `services: { core: ${service} }`],
  ["services with empty environments", false, `services: { core: ${service} }\nenvironments: {}`],
  ["environments without services", false, `environments: { ${prod} }\n${contracts}`],
  ["a pin pattern without {version}", false, `contracts: { repository: acme/contracts, package: "@acme/contracts", consumers: [{ repository: acme/py, pin: { file: requirements.txt, pattern: "acme==1" } }] }`],
  ["a pin pattern with {version} twice", false, `contracts: { repository: acme/contracts, package: "@acme/contracts", consumers: [{ repository: acme/py, pin: { file: r.txt, pattern: "{version}-{version}" } }] }`],
  ["a pin pattern with {version} once", true, `contracts: { repository: acme/contracts, package: "@acme/contracts", consumers: [{ repository: acme/py, pin: { file: r.txt, pattern: "acme=={version}" } }] }`],
  ["a Helm path key YAML 1.1 reads as a boolean", false, `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, targets: { helm: { path: core.on.digest } } } }\nenvironments: { eu: { file: v.yaml, kind: helm } }`],
  ["a Helm path with a key that only starts like one", true, `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, targets: { helm: { path: core.onion.digest } } } }\nenvironments: { eu: { file: v.yaml, kind: helm } }`],
  ["an unknown field", false, `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image, varaible: x } }\nenvironments: { ${prod} }`],
  ["an unknown file kind", false, `services: { core: ${service} }\nenvironments: { prod: { file: envs/prod.tfvars, kind: toml } }`],
  ["a registry with a username and no password", false, `services: { core: ${service} }\nenvironments: { ${prod} }\nregistries: { ghcr.io: { usernameEnv: GHCR_USER } }`],
  ["staging from main and prod gated on it", true, `services: { core: ${service} }\nenvironments: { staging: { file: s.tfvars, on: main, autoMerge: squash }, prod: { file: p.tfvars, requires: { environment: staging, soakMinutes: 30 }, windows: [{ days: [mon, tue], from: "09:00", to: "16:00", timeZone: Europe/Berlin }] } }`],
  ["an unknown trigger", false, `services: { core: ${service} }\nenvironments: { staging: { file: s.tfvars, on: merge } }`],
  ["an unknown auto-merge method", false, `services: { core: ${service} }\nenvironments: { staging: { file: s.tfvars, autoMerge: fast-forward } }`],
  ["a window at 25:00", false, `services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars, windows: [{ days: [mon], from: "09:00", to: "25:00", timeZone: UTC }] } }`],
  ["a window on no day", false, `services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars, windows: [{ days: [], from: "09:00", to: "10:00", timeZone: UTC }] } }`],
  ["a negative soak", false, `services: { core: ${service} }\nenvironments: { s: { file: s.tfvars }, prod: { file: p.tfvars, requires: { environment: s, soakMinutes: -1 } } }`],
  ["registries with each provider", true, `services: { core: ${service} }\nenvironments: { ${prod} }\nregistries: { 123456789012.dkr.ecr.eu-west-1.amazonaws.com: { provider: ecr }, europe-docker.pkg.dev: { provider: gar }, acme.azurecr.io: { provider: acr } }`],
  ["a registry provider with usernameEnv and passwordEnv", false, `services: { core: ${service} }\nenvironments: { ${prod} }\nregistries: { acme.azurecr.io: { provider: acr, usernameEnv: U, passwordEnv: P } }`],
  ["an unknown registry provider", false, `services: { core: ${service} }\nenvironments: { ${prod} }\nregistries: { quay.io: { provider: quay } }`],
  ["a path with ..", false, `services: { core: ${service} }\nenvironments: { prod: { file: ../secrets.tfvars } }`],
];

const APP_ONLY: Array<[string, (typeof ZOD_ONLY_RULES)[number], string]> = [
  ["an environment naming an unknown service", "an environment's services must name services of the config", `services: { core: ${service} }\nenvironments: { prod: { file: envs/prod.tfvars, services: [nope] } }`],
  ["two services owning one variable", "one variable, tag prefix and Helm, manifest or kustomization pin per service", `services: { core: ${service}, web: ${service.replace("core-api", "web-ui").replace("core-api", "web-ui")} }\nenvironments: { ${prod} }`],
  ["a registry named twice", "a registry host named once (docker.io and its aliases are one)", `services: { core: ${service} }\nenvironments: { ${prod} }\nregistries: { docker.io: {}, index.docker.io: {} }`],
  ["provider ecr on a host that is not ECR's", "provider ecr only on an ECR host <account>.dkr.ecr.<region>.amazonaws.com", `services: { core: ${service} }\nenvironments: { ${prod} }\nregistries: { ghcr.io: { provider: ecr } }`],
  ["a helm environment promoting a service without targets.helm", "an environment's file kind needs its services' variable or targets", `services: { core: ${service} }\nenvironments: { eu: { file: v.yaml, kind: helm } }`],
  ["requireProvenance without provenance", "requireProvenance needs provenance on every service the environment promotes", `services: { core: ${service} }\nenvironments: { prod: { file: envs/prod.tfvars, requireProvenance: true } }`],
  ["a versionVariable that is the variable", "a tfvars-json versionVariable is a variable of its own", `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image, targets: { tfvars-json: { versionVariable: core_image } } } }\nenvironments: { prod: { file: p.json, kind: tfvars-json } }`],
  ["requires naming an unknown environment", "requires names another environment of the config, without cycles", `services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars, requires: { environment: stagin } } }`],
  ["two environments requiring each other", "requires names another environment of the config, without cycles", `services: { core: ${service} }\nenvironments: { a: { file: a.tfvars, requires: { environment: b } }, b: { file: b.tfvars, requires: { environment: a } } }`],
  ["an on: main environment with a version image tag", "an on: main environment's services tag images by commit ({sha} or {shortSha})", `services: { core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image, imageTag: "{version}" } }\nenvironments: { staging: { file: s.tfvars, on: main } }`],
  ["a window in an unknown time zone", "a merge window's time zone is one the runtime knows, and its to is later than its from", `services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars, windows: [{ days: [mon], from: "09:00", to: "16:00", timeZone: Europe/Berlinn }] } }`],
  ["a window ending before it starts", "a merge window's time zone is one the runtime knows, and its to is later than its from", `services: { core: ${service} }\nenvironments: { prod: { file: p.tfvars, windows: [{ days: [mon], from: "22:00", to: "02:00", timeZone: UTC }] } }`],
];

describe("the JSON Schema for editors and the app's config validation", () => {
  it.each(SAME_VERDICT)("%s: both say %s", (_, valid, text) => {
    const config = parseYaml(text);
    expect({ editor: editor(config), app: app(config) }).toEqual({ editor: valid, app: valid });
  });

  it.each(APP_ONLY)("%s: the app refuses it, editors cannot tell (%s)", (_, rule, text) => {
    const config = parseYaml(text);
    expect({ editor: editor(config), app: app(config) }).toEqual({ editor: true, app: false });
    expect(ZOD_ONLY_RULES).toContain(rule);
  });

  it("every app-only rule is in the README", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const rule of ZOD_ONLY_RULES) expect(readme).toContain(rule);
  });
});
