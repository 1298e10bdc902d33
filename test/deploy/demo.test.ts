/**
 * `npm run demo` as a user runs it: its own process, offline, exit code and output. The demo
 * checks every step itself (exit 0 only if all happened); this test holds it to that and to
 * showing what the README promises: the PR diff, the check runs and the refusal.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, "node_modules/tsx/dist/cli.mjs"), "demo/run.ts"], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("npm run demo", () => {
  it("shows the promotion PR and its one-line diff, the contracts bumps, the check runs and a refusal, and exits 0", async () => {
    const { code, output } = await runDemo();
    expect(output, output).toMatch(/All \d+ checks passed\./);
    expect(code, output).toBe(0);
    expect(output).toContain("PR #1 in acme/infra: Promote core v0.10.0 to prod");
    expect(output).toMatch(/diff envs\/prod\.tfvars \(\+1 −1\)/);
    expect(output).toMatch(/^ {4}-core_image = ".*# core-v0\.9\.0$/m);
    expect(output).toMatch(/^ {4}\+core_image = ".*@sha256:[0-9a-f]{64}" # core-v0\.10\.0$/m);
    expect(output).toContain("PR #1 in acme/billing-api: Bump @acme/contracts to 0.3.2");
    expect(output).toContain("PR #1 in acme/checkout-web: Bump @acme/contracts to 0.3.2");
    expect(output).toMatch(/check run "release-promoter" on acme\/core-api@[0-9a-f]{12}: completed \/ success/);
    expect(output).toMatch(/check run "release-promoter" on acme\/web-ui@[0-9a-f]{12}: completed \/ failure/);
    expect(output).toContain("not promoted: wrong_repository");
    expect(output).not.toContain("[github stand-in]");
  }, 180_000);
});
