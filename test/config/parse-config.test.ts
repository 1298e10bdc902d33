import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/config-json-schema.js";
import { parseConfig } from "../../src/config/parse-config.js";

// The document from the issue, verbatim: it must stay valid.
const ISSUE_EXAMPLE = `
services:
  core:                              # service name; also its tag prefix unless tagPrefix is set
    repository: acme/core-api        # the only repository whose tags may promote it
    image: ghcr.io/acme/core-api     # image repository CI pushes from the default branch
    variable: core_image             # the tfvars variable it owns
    # imageTag: "{sha}"              # optional, default "{sha}"
    # tagPrefix: core                # optional
  web:
    repository: acme/web-ui
    image: ghcr.io/acme/web-ui
    variable: web_image
environments:
  prod:
    file: envs/prod.tfvars           # path in the infra repository
    # prerelease: false              # optional, default false
# registries:                        # optional credentials per registry host
#   ghcr.io: { usernameEnv: GHCR_USER, passwordEnv: GHCR_TOKEN }
`;

describe("parseConfig", () => {
  it("accepts the documented example and fills in defaults", () => {
    expect(parseConfig(ISSUE_EXAMPLE)).toEqual({
      services: {
        core: { repository: "acme/core-api", image: "ghcr.io/acme/core-api", variable: "core_image", imageTag: "{sha}" },
        web: { repository: "acme/web-ui", image: "ghcr.io/acme/web-ui", variable: "web_image", imageTag: "{sha}" },
      },
      environments: { prod: { file: "envs/prod.tfvars", kind: "tfvars", prerelease: false, requireProvenance: false, on: "tag" } },
      registries: {},
      imageWaitSeconds: 600,
    });
  });

  it("lists every problem with its path in one error", () => {
    const text = `
services:
  core: { repository: acme/core-api, image: ghcr.io/acme/core-api, variable: core_image, extra: 1 }
  web: { repository: acme/web-ui, image: "ghcr.io/acme/web-ui:latest", variable: core_image, tagPrefix: core }
  Bad_Name: { repository: acme/x, image: x, variable: x }
  api: { repository: not-a-repo, image: ghcr.io/acme/api, variable: "1x" }
environments:
  prod: { file: ../secrets.tfvars, services: [core, nope] }
registries:
  ghcr.io: { usernameEnv: GHCR_USER }
imageWaitSeconds: -1
`;
    let message = "";
    try {
      parseConfig(text, "acme/infra:.github/release-promoter.yml");
    } catch (error) {
      expect(error).toMatchObject({ code: "config_invalid" });
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual(
      expect.arrayContaining([
        '- services.core: Unrecognized key: "extra"',
        "- services.web.image: must be an image repository without tag or digest, e.g. ghcr.io/acme/core-api",
        "- services.Bad_Name: service names must be lowercase letters, digits and single dashes",
        "- services.api.repository: must be owner/name",
        "- services.api.variable: must be a Terraform identifier",
        "- environments.prod.file: must be a relative path inside the infra repository, without . or .. segments",
        expect.stringMatching(/^- registries\.ghcr\.io\.passwordEnv: /),
        expect.stringMatching(/^- imageWaitSeconds: /),
      ]),
    );
    expect(message).toMatch(/^acme\/infra:\.github\/release-promoter\.yml is invalid \(\d+ problems\):/);
  });

  it.each([
    [
      "two services owning one variable",
      "services:\n  a: { repository: o/a, image: r/a, variable: v }\n  b: { repository: o/b, image: r/b, variable: v }\nenvironments: { prod: { file: p.tfvars } }\n",
      "services.b.variable: v is already owned by service a; one variable per service",
    ],
    [
      "two services with one tag prefix",
      "services:\n  a: { repository: o/a, image: r/a, variable: va }\n  b: { repository: o/b, image: r/b, variable: vb, tagPrefix: a }\nenvironments: { prod: { file: p.tfvars } }\n",
      "services.b.tagPrefix: tag prefix a is already used by service a; one prefix per service",
    ],
    ["an environment naming an unknown service", "services:\n  a: { repository: o/a, image: r/a, variable: va }\nenvironments: { prod: { file: p.tfvars, services: [b] } }\n", "environments.prod.services.0: unknown service b"],
    ["environments without services", "services: {}\nenvironments: { prod: { file: p.tfvars } }\n", "services: at least one service is required when environments are configured"],
    ["services without environments", "services:\n  a: { repository: o/a, image: r/a, variable: va }\n", "environments: at least one environment is required when services are configured"],
    ["a config with neither services nor contracts", "imageWaitSeconds: 60\n", "services: the config promotes nothing"],
    ["an unknown imageTag placeholder", "services:\n  a: { repository: o/a, image: r/a, variable: va, imageTag: '{branch}' }\nenvironments: { prod: { file: p.tfvars } }\n", "services.a.imageTag: may only hold"],
    ["duplicate YAML keys", "services: {}\nservices: {}\n", "line 2: Map keys must be unique"],
    ["YAML that is not a mapping", "- a\n- b\n", "(root): Invalid input: expected object, received array"],
    ["an empty file", "", "services: the config promotes nothing"],
    [
      "a registry provider with usernameEnv/passwordEnv",
      "services:\n  a: { repository: o/a, image: europe-docker.pkg.dev/p/r/a, variable: va }\nenvironments: { prod: { file: p.tfvars } }\nregistries:\n  europe-docker.pkg.dev: { provider: gar, usernameEnv: U, passwordEnv: P }\n",
      "registries.europe-docker.pkg.dev.provider: provider gar fetches its own credentials; remove usernameEnv/passwordEnv, or the provider",
    ],
    [
      "provider ecr on a host that is not ECR's",
      "services:\n  a: { repository: o/a, image: ghcr.io/o/a, variable: va }\nenvironments: { prod: { file: p.tfvars } }\nregistries:\n  ghcr.io: { provider: ecr }\n",
      "registries.ghcr.io.provider: provider ecr needs an ECR host <account>.dkr.ecr.<region>.amazonaws.com",
    ],
    [
      "an unknown registry provider",
      "services:\n  a: { repository: o/a, image: quay.io/o/a, variable: va }\nenvironments: { prod: { file: p.tfvars } }\nregistries:\n  quay.io: { provider: quay }\n",
      "registries.quay.io.provider: ",
    ],
  ])("refuses %s", (_name, text, problem) => {
    expect(() => parseConfig(text)).toThrow(expect.objectContaining({ code: "config_invalid", message: expect.stringContaining(problem) }));
  });
});

describe("a config for contracts bumps only", () => {
  it("is valid with no services and no environments", () => {
    const config = parseConfig("contracts:\n  repository: acme/contracts\n  package: \"@acme/contracts\"\n  consumers:\n    - repository: acme/web-ui\n");
    expect(config.services).toEqual({});
    expect(config.environments).toEqual({});
    expect(config.contracts).toMatchObject({ repository: "acme/contracts", package: "@acme/contracts", tagPrefix: "contracts" });
  });
});

describe("the JSON Schema for editors", () => {
  const committed = JSON.parse(readFileSync(new URL("../../schema/release-promoter.schema.json", import.meta.url), "utf8")) as object;

  it("is in sync with the zod schema (run `npm run schema` after changing it)", () => {
    expect(committed).toEqual(configJsonSchema());
  });

  it("accepts the documented example and the sample config, and rejects a typo'd field", () => {
    const validate = new Ajv2020({ strict: false }).compile(committed);
    const sample = readFileSync(new URL("../fixtures/infra/.github/release-promoter.yml", import.meta.url), "utf8");
    expect(validate(parseYaml(ISSUE_EXAMPLE))).toBe(true);
    expect(validate(parseYaml(sample))).toBe(true);
    expect(validate(parseYaml(ISSUE_EXAMPLE.replace("variable: web_image", "varaible: web_image")))).toBe(false);
  });

  it("file kinds: each environment's kind needs its services' targets; a version variable of its own; Helm keys Helm can see", () => {
    const config = (service: string, environment: string) =>
      `services:\n  core: { repository: acme/core-api, image: ghcr.io/acme/core-api${service} }\nenvironments:\n  prod: { file: f${environment} }\n`;
    expect(() => parseConfig(config("", ", kind: manifest"))).toThrow(/services\.core\.targets\.manifest\.container: environment prod is a manifest file that promotes core/);
    expect(() => parseConfig(config("", ", kind: helm"))).toThrow(/services\.core\.targets\.helm\.path/);
    expect(parseConfig(config("", ", kind: kustomization")).environments.prod!.kind).toBe("kustomization");
    expect(() => parseConfig(config(", variable: core_image, targets: { tfvars-json: { versionVariable: core_image } }", ", kind: tfvars-json"))).toThrow(
      /versionVariable: core_image is the service's own variable/,
    );
    expect(() => parseConfig(config(", targets: { helm: { path: core.on.digest } }", ", kind: helm"))).toThrow(/holds a key YAML 1\.1 reads as a boolean/);
    expect(() => parseConfig(config(", targets: { helm: { path: core..digest } }", ", kind: helm"))).toThrow(/must be dot-separated keys/);
    expect(() => parseConfig(config("", ", kind: toml"))).toThrow(/environments\.prod\.kind/);
  });
});
