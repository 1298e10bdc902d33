/**
 * .env.example documents every variable the app reads: the ones src/ reads by name, and the
 * Probot options a deployment sets (checked against Probot's own source, so a rename upstream
 * shows up here). Nothing in it may look like a real secret.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TEXT = readFileSync(join(ROOT, ".env.example"), "utf8");
const LINES = TEXT.split("\n");

/** `NAME=value` and commented-out `# NAME=value` lines. */
const ASSIGNMENT = /^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;
const documented = new Map<string, { value: string; commented: boolean; index: number }>();
LINES.forEach((line, index) => {
  const match = ASSIGNMENT.exec(line);
  if (match) documented.set(match[2]!, { value: match[3]!, commented: match[1] !== undefined, index });
});

const PROBOT_OPTIONS = [
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "WEBHOOK_PROXY_URL",
  "LOG_LEVEL",
  "LOG_FORMAT",
  "PORT",
  "HOST",
  "NO_SMEE_SETUP",
  "GHE_HOST",
  "GHE_PROTOCOL",
];
/** Registry credentials are named by the config (usernameEnv/passwordEnv); these are the example. */
const REGISTRY_EXAMPLE = ["GHCR_USER", "GHCR_TOKEN"];

function sourceFiles(dir: string, extension: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && extension.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Upper-case names read as process.env.X, env.X, deps.env.X, env["X"], or destructured from process.env. */
function envNamesRead(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)\b/g)) names.add(match[1]!);
    for (const match of text.matchAll(/\benv\[\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\]/g)) names.add(match[1]!);
    for (const match of text.matchAll(/\{([^{}]*)\}\s*=\s*process\.env\b/g)) {
      for (const name of match[1]!.matchAll(/\b([A-Z][A-Z0-9_]*)\b/g)) names.add(name[1]!);
    }
  }
  return names;
}

describe(".env.example", () => {
  it("documents every environment variable src/ reads by name", () => {
    const read = envNamesRead(sourceFiles(join(ROOT, "src"), /\.ts$/));
    expect(read).toContain("INFRA_REPOSITORY"); // the scan finds what it must
    for (const name of read) expect([...documented.keys()], `${name} is read in src/ but not in .env.example`).toContain(name);
  });

  it("documents the Probot options a deployment sets, by the names Probot reads", () => {
    const probotReads = envNamesRead([
      ...sourceFiles(join(ROOT, "node_modules/probot/lib"), /\.js$/),
      ...sourceFiles(join(ROOT, "node_modules/@probot/get-private-key/dist-src"), /\.js$/),
    ]);
    for (const name of PROBOT_OPTIONS) {
      expect(probotReads, `Probot no longer reads ${name}`).toContain(name);
      expect([...documented.keys()]).toContain(name);
    }
  });

  it("shows registry credentials as an example", () => {
    for (const name of REGISTRY_EXAMPLE) expect([...documented.keys()]).toContain(name);
  });

  it("explains every variable in a comment above it", () => {
    for (const [name, { index }] of documented) {
      // Walk up through the block (no blank line) the assignment belongs to; it needs a prose comment.
      let explained = false;
      for (let i = index - 1; i >= 0 && LINES[i]!.trim() !== ""; i--) {
        if (/^\s*#/.test(LINES[i]!) && !ASSIGNMENT.test(LINES[i]!)) explained = true;
      }
      expect(explained, `${name} has no explanation`).toBe(true);
    }
  });

  it("is valid dotenv: the uncommented lines parse to the documented values", () => {
    const active = Object.fromEntries([...documented].filter(([, v]) => !v.commented).map(([name, v]) => [name, v.value]));
    expect(parseEnv(TEXT)).toEqual(active);
    // Probot would start in setup mode from a copy of it: no credentials are filled in.
    expect(active.APP_ID ?? "").toBe("");
    expect(active.PRIVATE_KEY ?? "").toBe("");
    expect(active.WEBHOOK_SECRET ?? "").toBe("");
  });

  it("holds no value that looks like a real secret", () => {
    const secretName = /KEY|SECRET|TOKEN|PASSWORD|DSN/;
    for (const [name, { value }] of documented) {
      expect(value, name).not.toMatch(/-----BEGIN/);
      expect(value, name).not.toMatch(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|npm_[A-Za-z0-9]{30,}|glpat-[\w-]{20})/);
      expect(value, name).not.toMatch(/[A-Za-z0-9+/=_-]{32,}/); // long random-looking strings
      if (secretName.test(name) && !name.endsWith("_PATH")) expect(value, `${name} must be empty`).toBe("");
    }
    expect(TEXT).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  });
});
