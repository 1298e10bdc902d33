/**
 * `npm run demo` as a user runs it: its own process, offline, exit code and output. The demo
 * checks every step itself (exit 0 only if all happened); this test holds it to that and to
 * showing what the README promises: the PR diff, the check runs and the refusal.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { baseEnv, runToEnd } from "./processes.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

const TSX = join(projectRoot, "node_modules/tsx/dist/cli.mjs");

describe("npm run demo", () => {
  it("shows the promotion PR and its one-line diff, the contracts bumps, the check runs, a refusal, a rollback by comment and the status page, and exits 0", async () => {
    const { code, output } = await runToEnd([process.execPath, TSX, "demo/run.ts"], { cwd: projectRoot, env: baseEnv(), timeoutMs: 170_000 });
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
    // A rollback asked for by comment, and the status page.
    expect(output).toMatch(/PR #\d+ in acme\/infra: Roll back core to v0\.9\.5 in prod/);
    expect(output).toMatch(/the app's answer on #\d+: @alice core-v0\.9\.5 → prod: http:\/\/127\.0\.0\.1:\d+\/acme\/infra\/pull\/\d+/);
    expect(output).toMatch(/^open http:\/\/127\.0\.0\.1:\d+\/status\?token=/m);
    expect(output).toMatch(/^ {2}acme {2}prod\/core: runs v0\.10\.0, newest core-v0\.10\.0, open PR #\d+$/m);
    expect(output).not.toContain("[github stand-in]");
  }, 180_000);
});
