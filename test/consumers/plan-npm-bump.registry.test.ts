/**
 * planNpmBump against a real npm registry (verdaccio on 127.0.0.1) and real npm: the app's
 * package.json and package-lock.json must equal, byte for byte, what
 * `npm install @acme/contracts@<version> --package-lock-only` writes from the same starting point,
 * with the same npm config on both sides (registry, and whether `resolved` is kept).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planNpmBump, type ConsumerFiles } from "../../src/consumers/plan-npm-bump.js";
import { type PublishedVersion, waitForPublishedVersion } from "../../src/npm/fetch-packument.js";
import { startVerdaccio, type Verdaccio } from "../helpers/verdaccio.js";

const NAME = "@acme/contracts";
let registry: Verdaccio;
let scratch: string;

/** The consumers, each as npm made it at 0.3.1 before 0.3.2 was published. */
const starts: Record<string, ConsumerFiles> = {};

interface Consumer {
  id: string;
  files: ConsumerFiles;
  /** Whether the lockfile keeps `resolved` (npm's omit-lockfile-registry-resolved, inverted). */
  resolved: boolean;
  lockfileVersion?: 2 | 3;
  /** The npm command that makes the lockfile (default: install). */
  install?: string[];
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const CONSUMERS: Consumer[] = [
  {
    id: "v3-resolved",
    resolved: true,
    files: { "package.json": json({ name: "core-api", version: "1.0.0", private: true, dependencies: { [NAME]: "^0.3.1", "@acme/log": "^1.0.0" } }) },
  },
  {
    id: "v2-resolved",
    resolved: true,
    lockfileVersion: 2,
    files: { "package.json": json({ name: "edge-bff", version: "2.0.0", dependencies: { "@acme/log": "^1.0.0" }, devDependencies: { [NAME]: "^0.3.1" } }) },
  },
  {
    id: "v3-omitted",
    resolved: false,
    files: { "package.json": json({ name: "web-ui", version: "0.1.0", dependencies: { [NAME]: "^0.3.1" } }) },
  },
  {
    id: "workspaces",
    resolved: true,
    files: {
      "package.json": json({ name: "monorepo", private: true, workspaces: ["packages/*"], devDependencies: { "@acme/log": "^1.0.0" } }),
      "packages/api/package.json": json({ name: "api", version: "1.0.0", dependencies: { [NAME]: "^0.3.1" } }),
      "packages/util/package.json": json({ name: "util", version: "1.0.0", dependencies: { "@acme/log": "^1.0.0" } }),
    },
  },
  {
    id: "workspaces-v2",
    resolved: false,
    lockfileVersion: 2,
    files: {
      "package.json": json({ name: "monorepo2", private: true, workspaces: ["packages/*"] }),
      "packages/api/package.json": json({ name: "api2", version: "1.0.0", dependencies: { [NAME]: "^0.3.1" } }),
    },
  },
];

async function writeTree(dir: string, files: ConsumerFiles): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

async function readTree(dir: string, paths: string[]): Promise<ConsumerFiles> {
  const files: ConsumerFiles = {};
  for (const path of paths) files[path] = await readFile(join(dir, path), "utf8");
  return files;
}

const npmFlags = (consumer: Consumer): string[] => [
  "--package-lock-only",
  "--ignore-scripts",
  `--omit-lockfile-registry-resolved=${!consumer.resolved}`,
  ...(consumer.lockfileVersion === undefined ? [] : [`--lockfile-version=${consumer.lockfileVersion}`]),
];

/** What real npm writes from the consumer's starting point for `npm install <name>@<version>`. */
async function npmInstall(consumer: Consumer, version: string, workspace?: string, start = starts[consumer.id]!): Promise<ConsumerFiles> {
  const dir = await mkdtemp(join(scratch, `${consumer.id}-npm-`));
  await writeTree(dir, start);
  const flags = consumer.lockfileVersion === undefined ? npmFlags(consumer) : npmFlags(consumer).slice(0, -1);
  await registry.npm(dir, ["install", `${NAME}@${version}`, ...(workspace ? ["-w", workspace] : []), ...flags]);
  return readTree(dir, Object.keys(starts[consumer.id]!));
}

async function published(version: string): Promise<PublishedVersion> {
  return waitForPublishedVersion({ registry: registry.url, name: NAME, version });
}

beforeAll(async () => {
  registry = await startVerdaccio();
  scratch = await mkdtemp(join(tmpdir(), "rp-npm-bump-"));
  await Promise.all([
    registry.publish({ name: NAME, version: "0.3.1" }),
    registry.publish({ name: "@acme/log", version: "1.0.0" }),
    registry.publish({ name: "@acme/tiny", version: "1.0.0" }),
  ]);
  await Promise.all(
    CONSUMERS.map(async (consumer) => {
      const dir = await mkdtemp(join(scratch, `${consumer.id}-start-`));
      await writeTree(dir, consumer.files);
      await registry.npm(dir, ["install", ...npmFlags(consumer)]);
      starts[consumer.id] = await readTree(dir, [...Object.keys(consumer.files), "package-lock.json"]);
    }),
  );
  // The releases, after the consumers locked 0.3.1: 0.3.2 changes nothing else; 0.3.3 adds a dependency.
  await registry.publish({ name: NAME, version: "0.3.2" });
  await registry.publish({ name: NAME, version: "0.3.3", dependencies: { "@acme/tiny": "^1.0.0" } });
  await registry.publish({ name: "@private/secret-lib", version: "1.0.0" });
  await registry.publish({ name: NAME, version: "0.4.0", dependencies: { "@private/secret-lib": "^1.0.0" } });
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const consumer = (id: string): Consumer => CONSUMERS.find((c) => c.id === id)!;

describe("planNpmBump against verdaccio and real npm", () => {
  it("starting points were locked by npm at 0.3.1", () => {
    for (const c of CONSUMERS) expect(JSON.parse(starts[c.id]!["package-lock.json"]!).packages[`node_modules/${NAME}`].version).toBe("0.3.1");
  });

  it.each(["v3-resolved", "v2-resolved", "v3-omitted"])("%s: 0.3.2 is written in place, byte for byte what npm writes", async (id) => {
    const c = consumer(id);
    const plan = await planNpmBump(starts[id]!, { name: NAME, version: "0.3.2", published: await published("0.3.2") }, { registry: registry.url });
    const expected = await npmInstall(c, "0.3.2");
    expect(plan).toMatchObject({ outcome: "change", method: "in-place", from: "0.3.1" });
    if (plan.outcome !== "change") return;
    expect(Object.keys(plan.files).sort()).toEqual(["package-lock.json", "package.json"]);
    expect(plan.files["package-lock.json"]).toBe(expected["package-lock.json"]);
    expect(plan.files["package.json"]).toBe(expected["package.json"]);
  });

  it("a release that adds a dependency is regenerated by npm, byte for byte what npm writes (0.3.2 exists, 0.3.3 is asked for)", async () => {
    const c = consumer("v3-resolved");
    const plan = await planNpmBump(starts[c.id]!, { name: NAME, version: "0.3.3", published: await published("0.3.3") }, { registry: registry.url });
    const expected = await npmInstall(c, "0.3.3");
    expect(plan, JSON.stringify(plan)).toMatchObject({ outcome: "change", method: "regenerated", from: "0.3.1" });
    if (plan.outcome !== "change") return;
    expect(plan.summary).toContain("@acme/contracts@0.3.3 differs from the locked 0.3.1 in dependencies");
    expect(plan.files["package-lock.json"]).toBe(expected["package-lock.json"]);
    expect(plan.files["package.json"]).toBe(expected["package.json"]);
    expect(JSON.parse(plan.files["package-lock.json"]!).packages["node_modules/@acme/tiny"].version).toBe("1.0.0");
  });

  it("regeneration pins the asked version: 0.3.2 with 0.3.3 published still locks 0.3.2 (v2)", async () => {
    // package.json edited by hand without npm (a new dependency): the lockfile is out of sync, so npm regenerates.
    const c = consumer("v2-resolved");
    const start = { ...starts[c.id]! };
    start["package.json"] = start["package.json"]!.replace('"@acme/log": "^1.0.0"', '"@acme/log": "^1.0.0",\n    "@acme/tiny": "^1.0.0"');
    const plan = await planNpmBump(start, { name: NAME, version: "0.3.2", published: await published("0.3.2") }, { registry: registry.url });
    const expected = await npmInstall(c, "0.3.2", undefined, start);
    expect(plan).toMatchObject({ outcome: "change", method: "regenerated" });
    if (plan.outcome !== "change") return;
    expect(plan.summary).toContain("package-lock.json is out of sync with package.json (dependencies)");
    expect(JSON.parse(plan.files["package-lock.json"]!).lockfileVersion).toBe(2);
    expect(plan.files["package-lock.json"]).toBe(expected["package-lock.json"]);
    expect(plan.files["package.json"]).toBe(expected["package.json"]);
  });

  it.each([
    ["workspaces", "0.3.2", "in-place"],
    ["workspaces", "0.3.3", "regenerated"],
    ["workspaces-v2", "0.3.2", "in-place"],
    ["workspaces-v2", "0.3.3", "regenerated"],
  ])("%s → %s: only the workspace's package.json changes, the lockfile is npm's (%s)", async (id, version, method) => {
    const c = consumer(id);
    const plan = await planNpmBump(starts[id]!, { name: NAME, version, published: await published(version) }, { registry: registry.url });
    const expected = await npmInstall(c, version, "packages/api");
    expect(plan).toMatchObject({ outcome: "change", method, from: "0.3.1" });
    if (plan.outcome !== "change") return;
    expect(Object.keys(plan.files).sort()).toEqual(["package-lock.json", "packages/api/package.json"]);
    expect(plan.files["packages/api/package.json"]).toBe(expected["packages/api/package.json"]);
    expect(plan.files["package-lock.json"]).toBe(expected["package-lock.json"]);
  });

  it("regeneration reads a private registry with the token, which npm gets by reference only", async () => {
    const c = consumer("v3-resolved");
    const change = { name: NAME, version: "0.4.0", published: await published("0.4.0") };
    const anonymous = await planNpmBump(starts[c.id]!, change, { registry: registry.url });
    expect(anonymous).toMatchObject({ outcome: "refused", code: "npm_failed", reason: expect.stringContaining("npm error code E401") });
    expect(anonymous).not.toMatchObject({ reason: expect.stringContaining("complete log") });

    const plan = await planNpmBump(starts[c.id]!, change, { registry: registry.url, token: registry.token });
    const expected = await npmInstall(c, "0.4.0");
    expect(plan).toMatchObject({ outcome: "change", method: "regenerated" });
    if (plan.outcome !== "change") return;
    expect(plan.files["package-lock.json"]).toBe(expected["package-lock.json"]);
    expect(plan.files["package.json"]).toBe(expected["package.json"]);
    expect(JSON.stringify(plan)).not.toContain(registry.token);
  });

  it("a consumer without a lockfile gets package.json only", async () => {
    const files = { "package.json": consumer("v3-omitted").files["package.json"]! };
    const plan = await planNpmBump(files, { name: NAME, version: "0.3.2", published: await published("0.3.2") }, { registry: registry.url });
    expect(plan).toEqual({
      outcome: "change",
      method: "package-json-only",
      from: "0.3.1",
      files: { "package.json": files["package.json"]!.replace('"^0.3.1"', '"^0.3.2"') },
      summary: '"^0.3.1" → "^0.3.2" in dependencies of package.json; no package-lock.json to update',
    });
  });

  it("a consumer already at 0.3.2 (npm's own result) has nothing to do", async () => {
    const c = consumer("v3-resolved");
    const done = await npmInstall(c, "0.3.2");
    const plan = await planNpmBump(done, { name: NAME, version: "0.3.2", published: await published("0.3.2") }, { registry: registry.url });
    expect(plan).toEqual({
      outcome: "noop",
      reason: 'dependencies of package.json kept: "^0.3.2" is already at 0.3.2, not below 0.3.2; package-lock.json has @acme/contracts@0.3.2',
    });
  });
});
