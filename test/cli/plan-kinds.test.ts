import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli as run } from "./cli-harness.js";

const DIGEST = `sha256:${"ab12".repeat(16)}`;
const OLD = `sha256:${"1".repeat(64)}`;
const REAL = new URL("../../../shared/fixtures/yaml/files/", import.meta.url);

// The config of the issue that introduced the file kinds, as a user would write it.
const CONFIG = `services:
  core:
    repository: acme/core-api
    image: ghcr.io/acme/core-api
    variable: core_image                 # tfvars
    targets:                             # per file kind, where this service's pin lives
      helm: { path: core.image.digest }              # writes sha256:…
      manifest: { container: core-api }              # writes ghcr.io/acme/core-api@sha256:…
environments:
  prod:      { file: envs/prod.tfvars }                         # kind: tfvars (default)
  prod-eu:   { file: clusters/eu/values.yaml, kind: helm }
  prod-us:   { file: clusters/us/kustomization.yaml, kind: kustomization }   # images[name=<image>]
  prod-ap:   { file: clusters/ap/core-deployment.yaml, kind: manifest }
  prod-json: { file: envs/prod.tfvars.json, kind: tfvars-json }              # Terraform's JSON variables
`;

const FILES: Record<string, string> = {
  "envs/prod.tfvars": `core_image = "ghcr.io/acme/core-api@${OLD}" # core-v0.9.0\n`,
  "clusters/eu/values.yaml": `core:\n  image:\n    repository: ghcr.io/acme/core-api\n    digest: '${OLD}' # core-v0.9.0\n`,
  "clusters/us/kustomization.yaml": `resources:\n  - core-deployment.yaml\nimages:\n  - name: ghcr.io/acme/core-api\n    digest: ${OLD} # core-v0.9.0\n`,
  "clusters/ap/core-deployment.yaml": `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: core\nspec:\n  template:\n    spec:\n      containers:\n        - name: core-api\n          image: "ghcr.io/acme/core-api@${OLD}" # core-v0.9.0\n`,
  "envs/prod.tfvars.json": `{\n  "core_image": "ghcr.io/acme/core-api@${OLD}"\n}\n`,
};

let infra: string;
let config: string;
beforeAll(() => {
  infra = mkdtempSync(join(tmpdir(), "rp-cli-kinds-"));
  config = join(infra, ".github/release-promoter.yml");
  for (const [path, text] of Object.entries({ ".github/release-promoter.yml": CONFIG, ...FILES })) {
    mkdirSync(dirname(join(infra, path)), { recursive: true });
    writeFileSync(join(infra, path), text);
  }
});
afterAll(() => rmSync(infra, { recursive: true, force: true }));

const plan = (env: string, ...extra: string[]) =>
  run("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST, "--env", env, "--json", ...extra);

describe("release-promoter plan, every file kind", () => {
  const expected: Record<string, [string, string]> = {
    prod: ["envs/prod.tfvars", `core_image = "ghcr.io/acme/core-api@${DIGEST}" # core-v0.10.0`],
    "prod-eu": ["clusters/eu/values.yaml", `    digest: '${DIGEST}' # core-v0.10.0`],
    "prod-us": ["clusters/us/kustomization.yaml", `    digest: ${DIGEST} # core-v0.10.0`],
    "prod-ap": ["clusters/ap/core-deployment.yaml", `          image: "ghcr.io/acme/core-api@${DIGEST}" # core-v0.10.0`],
    "prod-json": ["envs/prod.tfvars.json", `  "core_image": "ghcr.io/acme/core-api@${DIGEST}"`],
  };
  for (const [env, [file, line]] of Object.entries(expected)) {
    it(`${env}: one changed line in ${file}`, async () => {
      const result = await plan(env);
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout) as { outcome: string; file: string; content: string; title: string };
      expect(json).toMatchObject({ outcome: "change", file, title: `Promote core v0.10.0 to ${env}` });
      const before = FILES[file]!.split("\n");
      const changed = json.content.split("\n").filter((text, index) => text !== before[index]);
      expect(changed).toEqual([line]);
      expect(readFileSync(join(infra, file), "utf8")).toBe(FILES[file]); // nothing written
    });
  }

  it("the version rules are the same for every kind: a downgrade is refused", async () => {
    for (const env of ["prod-eu", "prod-us", "prod-ap"]) {
      const result = await run("plan", "--config", config, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.8.0", "--digest", DIGEST, "--env", env, "--json");
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "refused", code: "version_downgrade" });
    }
  });

  it("a real-world file with two containers of that name is refused with its code and the lines", async () => {
    writeFileSync(join(infra, "clusters/ap/core-deployment.yaml"), readFileSync(new URL("man-argocd-sync-waves-manifests.yaml", REAL), "utf8"));
    const other = join(infra, "other.yml");
    writeFileSync(other, CONFIG.replace("container: core-api", "container: main"));
    const result = await run("plan", "--config", other, "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", DIGEST, "--env", "prod-ap");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^refused \(target_ambiguous\): clusters\/ap\/core-deployment\.yaml has 2 containers named main \(lines 32 and 82\)/);
    writeFileSync(join(infra, "clusters/ap/core-deployment.yaml"), FILES["clusters/ap/core-deployment.yaml"]!);
  });

  it("validate --infra reads every kind's file the way the app does", async () => {
    expect(await run("validate", "--config", config, "--infra", infra)).toMatchObject({ code: 0, stdout: expect.stringContaining("found in 5 environment files") });
    const broken = join(infra, "broken");
    mkdirSync(join(broken, "clusters/us"), { recursive: true });
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(broken, path)), { recursive: true });
      writeFileSync(join(broken, path), text);
    }
    writeFileSync(join(broken, "clusters/us/kustomization.yaml"), `images:\n  - name: ghcr.io/acme/core-api\n    newTag: v1\n`);
    const result = await run("validate", "--config", config, "--infra", broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("clusters/us/kustomization.yaml: core: the images entry ghcr.io/acme/core-api in clusters/us/kustomization.yaml (line 2) is pinned by newTag (v1)");
    expect(result.stderr).toContain("(kustomize_new_tag)");
  });
});
