/** Shared by the CLI tests: the CLI run in process, and a scratch copy of the fixture infra checkout. */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** test/fixtures/infra copied into a fresh temporary folder (the caller removes it). */
export function copyFixtureInfra(prefix: string): { infra: string; config: string } {
  const infra = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, "test/fixtures/infra"), infra, { recursive: true });
  return { infra, config: join(infra, ".github/release-promoter.yml") };
}
