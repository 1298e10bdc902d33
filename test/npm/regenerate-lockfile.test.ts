import { existsSync } from "node:fs";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NPM_TOKEN_VARIABLE } from "../../src/npm/npm-environment.js";
import { NPM_ARGS, regenerateLockfile } from "../../src/npm/regenerate-lockfile.js";
import { fakeNpm } from "./fake-npm.js";

const TOKEN = "npm_s3cret-registry-token";
const SECRETS = {
  GITHUB_TOKEN: "ghs_installation-token",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
  WEBHOOK_SECRET: "webhook-secret",
  GHCR_TOKEN: "ghcr-password",
  NPM_TOKEN: TOKEN,
  NODE_OPTIONS: "--require /tmp/evil.js",
  npm_config_registry: "https://evil.example/",
};
const FILES = {
  "package.json": '{"name":"mono","workspaces":["packages/*"]}\n',
  "package-lock.json": '{"lockfileVersion":3,"packages":{"":{}}}\n',
  "packages/api/package.json": '{"name":"api"}\n',
};

const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  // The app's own environment holds secrets; none of them may reach npm.
  for (const [name, value] of Object.entries(SECRETS)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("regenerateLockfile: what the npm child gets", () => {
  it("only an allow-listed environment, a throwaway HOME/cache/config, and the token by reference", async () => {
    const npm = await fakeNpm({ lockfile: '{"lockfileVersion":3,"packages":{"":{"new":true}}}\n' });
    const workDir = await mkdtemp(join(tmpdir(), "rp-regen-"));
    const lock = await regenerateLockfile(FILES, { registry: "https://npm.pkg.github.com", token: TOKEN, npmPath: npm.path, workDir });
    expect(lock).toBe('{"lockfileVersion":3,"packages":{"":{"new":true}}}\n');

    const { env, argv, cwd, files, contents } = await npm.record();
    for (const name of Object.keys(SECRETS)) expect(env).not.toHaveProperty(name);
    expect(JSON.stringify(env)).not.toContain(SECRETS.GITHUB_TOKEN);
    expect(JSON.stringify(env)).not.toContain(SECRETS.PRIVATE_KEY);
    // What the child does see (node may add a few of its own, e.g. for the shebang).
    const ours = Object.keys(env).filter((name) => !["_", "PWD", "SHLVL", "OLDPWD"].includes(name));
    expect(ours.sort()).toEqual(
      [
        "HOME",
        "PATH",
        NPM_TOKEN_VARIABLE,
        "npm_config_audit",
        "npm_config_cache",
        "npm_config_fund",
        "npm_config_globalconfig",
        "npm_config_loglevel",
        "npm_config_update_notifier",
        "npm_config_userconfig",
        // how to reach a registry, when the machine sets it
        ...["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "NODE_EXTRA_CA_CERTS"].filter((name) => process.env[name]),
      ].sort(),
    );
    expect(env[NPM_TOKEN_VARIABLE]).toBe(TOKEN);
    for (const name of ["HOME", "npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig"]) {
      expect(env[name]!.startsWith(workDir)).toBe(true);
    }
    expect(argv).toEqual([...NPM_ARGS]);
    expect(files).toEqual([".npmrc", "package-lock.json", "package.json", "packages/api/package.json"]);
    expect(contents[".npmrc"]).toBe(`registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=\${${NPM_TOKEN_VARIABLE}}\n`);
    for (const text of Object.values(contents)) expect(text).not.toContain(TOKEN);
    // The folder is gone afterwards.
    expect(existsSync(cwd)).toBe(false);
    expect(await readdir(workDir)).toEqual([]);
  });

  it("without a token: no auth line and no token variable; omit-lockfile-registry-resolved when asked; proxies pass through", async () => {
    const npm = await fakeNpm();
    await regenerateLockfile(FILES, {
      registry: "http://127.0.0.1:4873/npm/",
      npmPath: npm.path,
      omitLockfileRegistryResolved: true,
      parentEnv: { PATH: "/usr/bin:/bin", HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "127.0.0.1", GITHUB_TOKEN: "x" },
    });
    const { env, contents } = await npm.record();
    expect(contents[".npmrc"]).toBe("registry=http://127.0.0.1:4873/npm/\nomit-lockfile-registry-resolved=true\n");
    expect(env).not.toHaveProperty(NPM_TOKEN_VARIABLE);
    expect(env).not.toHaveProperty("GITHUB_TOKEN");
    expect(env).toMatchObject({ HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "127.0.0.1" });
    expect(env["PATH"]!.endsWith(":/usr/bin:/bin")).toBe(true);
  });

  it("npm failing is npm_failed with its last lines, the token masked", async () => {
    const npm = await fakeNpm({ exitCode: 1, stderr: `npm error code E404\nnpm error 404 Not Found - GET https://r/@acme%2ftiny (token ${TOKEN})\n` });
    const error = await regenerateLockfile(FILES, { registry: "https://r/", token: TOKEN, npmPath: npm.path }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "npm_failed",
      retryable: false,
      message: `npm install --package-lock-only --ignore-scripts --no-audit --no-fund exited with status 1:\nnpm error code E404\nnpm error 404 Not Found - GET https://r/@acme%2ftiny (token ***)`,
    });
  });

  it("a network failure inside npm is retryable", async () => {
    const npm = await fakeNpm({ exitCode: 1, stderr: "npm error code ECONNRESET\nnpm error network aborted\n" });
    await expect(regenerateLockfile(FILES, { registry: "https://r/", npmPath: npm.path })).rejects.toMatchObject({ code: "npm_failed", retryable: true });
  });

  it("npm that does not finish is killed after the timeout (retryable)", async () => {
    const npm = await fakeNpm({ hang: true });
    const error = await regenerateLockfile(FILES, { registry: "https://r/", npmPath: npm.path, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "npm_failed", retryable: true, message: expect.stringContaining("did not finish within 1s") });
  });

  it("npm that is not there is npm_failed", async () => {
    await expect(regenerateLockfile(FILES, { registry: "https://r/", npmPath: "/nonexistent/npm" })).rejects.toMatchObject({
      code: "npm_failed",
      message: expect.stringContaining("could not run (ENOENT)"),
    });
  });

  it.each(["../package.json", "/etc/package.json", "node_modules/x/package.json", ".npmrc", "packages/api/.npmrc", "packages/../package.json", "a/./package.json"])(
    "places only package.json files inside the folder: %s is refused",
    async (path) => {
      await expect(regenerateLockfile({ ...FILES, [path]: "{}" }, { registry: "https://r/", npmPath: "/bin/false" })).rejects.toThrow(RangeError);
    },
  );
});
