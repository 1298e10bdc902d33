/**
 * `npm start` without credentials: Probot's setup mode serves the page that registers the app
 * from app.yml. Run for real (`npm start` → `node ./dist/main.js`, Probot's `run()` with the app's Octokit) with NO_SMEE_SETUP=true
 * so it stays offline.
 *
 * It runs in a temporary directory holding the project's package.json and app.yml and symlinks
 * to node_modules and the compiled app (dist/: `npm start` is `node dist/main.js`), because Probot reads ./.env, ./app.yml, ./package.json and any single ./*.pem
 * from its working directory: a developer's .env or key in the project root must neither change
 * this test nor be touched by it. Setup mode does not load the app itself, only its entry point.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildApp } from "../../bench/build-app.js";
import { type Server, baseEnv, freePort, startServer, waitForHttp } from "./processes.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("npm start without credentials (setup mode)", () => {
  let dir: string;
  let server: Server | undefined;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "release-promoter-setup-"));
    copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
    copyFileSync(join(ROOT, "app.yml"), join(dir, "app.yml"));
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    // The compiled app, as `npm ci` (its prepare script) leaves it in dist/.
    symlinkSync(dirname(buildApp("setup-page-build")), join(dir, "dist"), "dir");
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // No APP_ID, no key, no NODE_ENV: what a developer has after cloning.
    server = startServer(["npm", "start"], {
      cwd: dir,
      env: { ...baseEnv(), PORT: String(port), HOST: "127.0.0.1", NO_SMEE_SETUP: "true", npm_config_update_notifier: "false" },
    });
    await waitForHttp(server, `${base}/probot`, 30_000);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("redirects / to the setup page", async () => {
    const response = await fetch(`${base}/`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/probot");
  });

  it("offers to register the app with the manifest from app.yml, webhooks pointing back at this server", async () => {
    const response = await fetch(`${base}/probot`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('action="https://github.com/settings/apps/new"');
    const value = /name="manifest" id="manifest" value='([^']*)'/.exec(html);
    expect(value, html).not.toBeNull();
    const manifest = JSON.parse(value![1]!) as Record<string, unknown>;
    const appYml = parse(readFileSync(join(ROOT, "app.yml"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: "release-promoter",
      public: false,
      default_events: appYml.default_events,
      default_permissions: appYml.default_permissions,
      hook_attributes: { url: `${base}/` },
      redirect_url: `${base}/probot/setup`,
    });
  });

  it("offers to import an existing app instead", async () => {
    const response = await fetch(`${base}/probot/import`);
    expect(response.status).toBe(200);
  });

  it("stays offline: no smee.io channel, nothing written to .env", () => {
    expect(existsSync(join(dir, ".env"))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["app.yml", "dist", "node_modules", "package.json"]);
    expect(server!.output()).toContain("Probot is in setup mode");
    expect(server!.output()).not.toMatch(/smee/i);
  });
});
