/**
 * app.yml, the GitHub App manifest Probot's setup page registers the app with: the least
 * permissions the app needs, each explained, checked against GitHub's own descriptions
 * (@octokit/openapi's app-permissions schema, @octokit/webhooks' event names), and the manifest
 * Probot actually generates from it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emitterEventNames } from "@octokit/webhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { ManifestCreation } from "../../node_modules/probot/lib/manifest-creation.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TEXT = readFileSync(join(ROOT, "app.yml"), "utf8");
const manifest = parse(TEXT) as Record<string, unknown>;

interface JsonSchemaProperty {
  enum?: string[];
}
const openapi = createRequire(import.meta.url)("@octokit/openapi/generated/api.github.com.json") as {
  components: { schemas: Record<string, { properties: Record<string, JsonSchemaProperty> }> };
};
const appPermissions = openapi.components.schemas["app-permissions"]!.properties;

/** What the app needs and why; README and app.yml comments say the same. */
const EXPECTED_PERMISSIONS = {
  contents: "write",
  pull_requests: "write",
  checks: "write",
  metadata: "read",
  attestations: "read",
  issues: "write",
};
/** Tag pushes start promotions (and infra pushes refresh them); closed promotion PRs are reported. */
const EXPECTED_EVENTS = ["push", "pull_request", "check_run", "issue_comment"];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("app.yml", () => {
  it("registers a private app named release-promoter that listens to push, pull_request, check_run and issue_comment", () => {
    expect(manifest.name).toBe("release-promoter");
    expect(String(manifest.name).length).toBeLessThanOrEqual(34); // GitHub's limit for app names
    expect(manifest.description).toEqual(expect.any(String));
    expect(manifest.url).toMatch(/^https:\/\//);
    expect(manifest.public).toBe(false);
    expect(manifest.default_events).toEqual(EXPECTED_EVENTS);
  });

  it("asks for exactly the permissions the app needs", () => {
    expect(manifest.default_permissions).toEqual(EXPECTED_PERMISSIONS);
  });

  it("uses only GitHub's permission names and access levels", () => {
    for (const [name, level] of Object.entries(manifest.default_permissions as Record<string, string>)) {
      expect(appPermissions, `unknown permission ${name}`).toHaveProperty(name);
      expect(appPermissions[name]!.enum, `${name}: ${level}`).toContain(level);
    }
  });

  it("subscribes only to webhook events GitHub sends", () => {
    for (const event of manifest.default_events as string[]) expect(emitterEventNames).toContain(event);
  });

  it("explains every permission and event in a comment, and says where to install the app", () => {
    const lines = TEXT.split("\n");
    const entries = lines
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => /^ {2}(?:- )?[a-z_]+(?::|$)/.test(line));
    expect(entries.length).toBe(Object.keys(EXPECTED_PERMISSIONS).length + EXPECTED_EVENTS.length);
    for (const { line, index } of entries) expect(lines[index - 1], `comment above "${line.trim()}"`).toMatch(/^\s*#\s*\S/);
    expect(TEXT).toMatch(/install only on the repositories it serves/i);
  });

  it("leaves hook_attributes to Probot, so the webhook URL follows the setup page or WEBHOOK_PROXY_URL", () => {
    // Probot spreads app.yml over its own manifest: a hook_attributes here would replace its URL.
    expect(manifest).not.toHaveProperty("hook_attributes");
  });

  it("becomes the manifest Probot's setup page posts to GitHub", () => {
    vi.stubEnv("WEBHOOK_PROXY_URL", "");
    vi.stubEnv("PROJECT_DOMAIN", "");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    const generated = new ManifestCreation().getManifest({
      pkg,
      baseUrl: "https://promoter.example.com",
      readFileSync: (() => TEXT) as unknown as typeof readFileSync,
    });
    // Probot embeds it in a single-quoted HTML attribute without escaping.
    expect(generated).not.toContain("'");
    expect(JSON.parse(generated)).toEqual({
      name: "release-promoter",
      description: manifest.description,
      url: manifest.url,
      public: false,
      version: "v1",
      hook_attributes: { url: "https://promoter.example.com/" },
      redirect_url: "https://promoter.example.com/probot/setup",
      default_events: EXPECTED_EVENTS,
      default_permissions: EXPECTED_PERMISSIONS,
    });

    vi.stubEnv("WEBHOOK_PROXY_URL", "https://smee.io/example-channel");
    const proxied = JSON.parse(new ManifestCreation().getManifest({ pkg, baseUrl: "http://localhost:3000", readFileSync: (() => TEXT) as unknown as typeof readFileSync })) as {
      hook_attributes: { url: string };
    };
    expect(proxied.hook_attributes.url).toBe("https://smee.io/example-channel");
  });
});
