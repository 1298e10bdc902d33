/**
 * `release-promoter bump` on local checkouts, against a real registry (verdaccio) and real npm.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { startVerdaccio, type Verdaccio } from "../helpers/verdaccio.js";

const NAME = "@acme/contracts";
let registry: Verdaccio;
let scratch: string;
/** Checkouts locked by npm at 0.3.1, copied fresh for each test. */
let single: string;
let workspaces: string;

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

async function checkout(from: string): Promise<string> {
  const dir = await mkdtemp(join(scratch, "checkout-"));
  await cp(from, dir, { recursive: true });
  return dir;
}

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  const port = String(registry.port);
  return { code, stdout: stdout.replaceAll(port, "PORT"), stderr: stderr.replaceAll(port, "PORT") };
}

const bump = (dir: string, ...extra: string[]) =>
  run("bump", "--dir", dir, "--package", NAME, "--version", "0.3.2", "--registry", registry.url, ...extra);

beforeAll(async () => {
  registry = await startVerdaccio();
  scratch = await mkdtemp(join(tmpdir(), "rp-bump-cli-"));
  await registry.publish({ name: NAME, version: "0.3.1" });

  single = join(scratch, "single");
  await writeTree(single, { "package.json": json({ name: "core-api", version: "1.0.0", dependencies: { [NAME]: "~0.3.1" } }) });
  workspaces = join(scratch, "workspaces");
  await writeTree(workspaces, {
    "package.json": json({ name: "mono", private: true, workspaces: ["packages/*"] }),
    "packages/api/package.json": json({ name: "api", version: "1.0.0", devDependencies: { [NAME]: "^0.3.0" } }),
    "packages/web/package.json": json({ name: "web", version: "1.0.0" }),
  });
  await Promise.all([single, workspaces].map((dir) => registry.npm(dir, ["install", "--package-lock-only", "--ignore-scripts"])));
  await registry.publish({ name: NAME, version: "0.3.2" });
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("release-promoter bump", () => {
  it("writes package.json and package-lock.json and says what changed; a second run has nothing to do", async () => {
    const dir = await checkout(single);
    const result = await bump(dir);
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "bumped @acme/contracts to 0.3.2 (from 0.3.1; lockfile in-place)\n" +
        '  "~0.3.1" → "~0.3.2" in dependencies of package.json; package-lock.json @acme/contracts 0.3.1 → 0.3.2, edited in place\n' +
        "wrote package-lock.json\n" +
        "wrote package.json\n",
    });
    expect(JSON.parse(await readFile(join(dir, "package.json"), "utf8")).dependencies[NAME]).toBe("~0.3.2");
    const lock = JSON.parse(await readFile(join(dir, "package-lock.json"), "utf8"));
    expect(lock.packages[`node_modules/${NAME}`].version).toBe("0.3.2");
    expect(lock.packages[""].dependencies[NAME]).toBe("~0.3.2");

    expect(await bump(dir)).toEqual({
      code: 0,
      stderr: "",
      stdout: 'no change: dependencies of package.json kept: "~0.3.2" is already at 0.3.2, not below 0.3.2; package-lock.json has @acme/contracts@0.3.2\n',
    });
  });

  it("--json prints the plan without file texts, and the files written", async () => {
    const dir = await checkout(single);
    const result = await bump(dir, "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      outcome: "change",
      method: "in-place",
      from: "0.3.1",
      summary: '"~0.3.1" → "~0.3.2" in dependencies of package.json; package-lock.json @acme/contracts 0.3.1 → 0.3.2, edited in place',
      files: ["package-lock.json", "package.json"],
    });
  });

  it("finds the workspaces and changes only the one that depends on the package", async () => {
    const dir = await checkout(workspaces);
    const result = await bump(dir, "--json");
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "change", method: "in-place", files: ["package-lock.json", "packages/api/package.json"] });
    expect(JSON.parse(await readFile(join(dir, "packages/api/package.json"), "utf8")).devDependencies[NAME]).toBe("^0.3.2");
    expect(await readFile(join(dir, "package.json"), "utf8")).toBe(await readFile(join(workspaces, "package.json"), "utf8"));
  });

  it.each([
    [["--version", "9.9.9"], "refused: @acme/contracts@9.9.9 is not in http://127.0.0.1:PORT/ yet (latest is 0.3.2)\n"],
  ])("%j → exit 1: %s", async (override, message) => {
    const dir = await checkout(single);
    const result = await run("bump", "--dir", dir, "--package", NAME, "--registry", registry.url, ...override);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });

  it("a version below the one locked → refused (version_downgrade), exit 1, nothing written", async () => {
    const dir = await checkout(single);
    expect((await bump(dir)).code).toBe(0); // locked at 0.3.2 now
    // A range that still allows the locked 0.3.2, so raising it to ^0.3.1 would look like a bump.
    const manifest = json({ name: "core-api", version: "1.0.0", dependencies: { [NAME]: "^0.3.0" } });
    await writeFile(join(dir, "package.json"), manifest);
    const lock = await readFile(join(dir, "package-lock.json"), "utf8");
    const result = await run("bump", "--dir", dir, "--package", NAME, "--version", "0.3.1", "--registry", registry.url, "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      outcome: "refused",
      code: "version_downgrade",
      reason: "package-lock.json has @acme/contracts@0.3.2, newer than 0.3.1; a bump never lowers a version (bump to 0.3.2 or later)",
      files: [],
    });
    expect(await readFile(join(dir, "package.json"), "utf8")).toBe(manifest);
    expect(await readFile(join(dir, "package-lock.json"), "utf8")).toBe(lock);
  });

  it("a range the app cannot bump → exit 1, nothing written", async () => {
    const dir = await checkout(single);
    const text = json({ name: "x", dependencies: { [NAME]: "file:../contracts" } });
    await writeFile(join(dir, "package.json"), text);
    const result = await bump(dir, "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      outcome: "refused",
      code: "range_unsupported",
      reason: '@acme/contracts in dependencies of package.json: "file:../contracts" is a file: spec, not a registry version range; the app only bumps versions from the registry',
      files: [],
    });
    expect(await readFile(join(dir, "package.json"), "utf8")).toBe(text);
  });

  it.each([
    [["--registry"], "missing --registry"],
    [["--version", "v0.3.2"], "--version must be a strict SemVer version like 0.3.2"],
    [["--package", "Not A Name"], "is not an npm package name"],
    [["--registry", "ftp://x"], "is not an http(s) registry URL"],
    [["--dir", "/nonexistent"], "no package.json in /nonexistent"],
    [["--token-env", "RP_TEST_UNSET_TOKEN"], "--token-env names RP_TEST_UNSET_TOKEN, which is not set"],
    [["--wait", "soon"], "--wait must be a number of seconds"],
    [["--frobnicate"], "Unknown option '--frobnicate'"],
  ])("%j → exit 2: %s", async (override, message) => {
    const args = ["bump", "--dir", single, "--package", NAME, "--version", "0.3.2", "--registry", registry.url];
    const at = args.indexOf(override[0]!);
    if (at >= 0 && override.length === 1) args.splice(at, 2);
    else if (at >= 0) args[at + 1] = override[1]!;
    else args.push(...override);
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    // One line and where the usage is, not the help of every command.
    expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(message), 'Run "release-promoter bump --help" for usage.']);
  });

  it("--help prints the usage", async () => {
    const result = await run("bump", "--help");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Usage: release-promoter bump --dir DIR --package NAME --version X\.Y\.Z --registry URL \[--json\]/);
  });
});
