/**
 * `npm run bench` in miniature (2 promotions per setting, 2 s of intake, 3 consumers), and its
 * intake alone (`--only intake`), so the benchmark code cannot rot between runs. It checks that
 * every section and figure is written; it asserts request counts and that nothing failed, never
 * a timing.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { baseEnv, runToEnd } from "./processes.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

const TSX = join(projectRoot, "node_modules/tsx/dist/cli.mjs");

/** Runs the bench with `args` and `--output` in a temporary directory; `check` gets its console output and that path. */
async function withBench(args: string[], timeoutMs: number, check: (log: string, output: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "release-promoter-bench-test-"));
  try {
    const output = join(dir, "BENCHMARKS.md");
    const { code, output: log } = await runToEnd([process.execPath, TSX, "bench/run.ts", ...args, "--output", output], { cwd: projectRoot, env: baseEnv(), timeoutMs });
    expect(code, log).toBe(0);
    await check(log, output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("npm run bench (miniature run)", () => {
  it("writes every figure: requests vs baseline, latency at 0 and 50 ms, intake vs bare Probot, fan-out, memory", async () => {
    await withBench(["--promotions", "2", "--intake-seconds", "2", "--consumers", "3"], 290_000, async (_log, output) => {
      const report = await readFile(output, "utf8");
      expect(report).toMatch(/^# Benchmarks/);
      expect(report).toMatch(/- Machine: \d+ × .+, \d+ GiB RAM, Linux .+, Node v\d+/);
      // 1. Requests: the app's 2 reads + 1 mutation + 1 check run, the baseline's 5 steps.
      // Three requests once the config is cached; the first promotion of each app process reads it too.
      expect(report).toContain("| app (webhook → check run), config cached | 1 | 2 | 2 | 3 |");
      expect(report).toContain("| app, first promotion of a process (config not cached yet) | 2 | 2 | 2 | 4 |");
      expect(report).toContain("| baseline workflow script | 2 | 3 | 3 | 5 |");
      expect(report).toContain("| ratio app (config cached) / baseline | | | | 0.60× |");
      // 2. Latency rows for both settings, and round trips.
      expect(report).toMatch(/^\| 0 ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|$/m);
      expect(report).toMatch(/^\| 50 ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|$/m);
      expect(report).toMatch(/In round trips .*: app -?[\d.]+, baseline [\d.]+\./);
      expect(report).toMatch(/^Physical limit: 2 round trips .*; the app takes -?[\d.]+× that\.$/m);
      expect(report).toMatch(/^\| app median at 50 ms ≤ 0\.7× the baseline's \| [\d.]+× \| (yes|no) \|$/m);
      expect(report).toMatch(/^\| app median at 0 ms < 100 ms \| [\d.]+ ms \| (yes|no) \|$/m);
      expect(report).toMatch(/^CPU per delivery .*: the app's is [\d.]+× the bare app's, i\.e\. a throughput of [\d.]+× the bare app's where both are bound by their CPU\.$/m);
      expect(report).toMatch(/throughput ([\d.]+×|n\/a) of the bare app's \(target: at least 0\.95×\); p99 ([\d.]+×|n\/a) \(target: at most 1\.5×\)/);
      // The spread of the alternating rounds (2 s of intake: 2 pairs of 1 s).
      expect(report).toMatch(/^Round by round \(2 pairs, min–median–max of app ÷ bare\): throughput [\d.]+–[\d.]+–[\d.]+×; CPU per delivery [\d.]+–[\d.]+–[\d.]+×\.$/m);
      // 3. Intake for both apps, every delivery answered 2xx.
      expect(report).toMatch(/^\| release-promoter \| \d+ \| \d+ \| 0 \| 0 \| \d+ ms \| \d+ ms \| \d+ µs \|$/m);
      expect(report).toMatch(/^\| bare Probot app \| \d+ \| \d+ \| 0 \| 0 \| \d+ ms \| \d+ ms \| \d+ µs \|$/m);
      // 4. Fan-out: every consumer got its PR, within GitHub's content-creation limit.
      expect(report).toMatch(/^\| 3 \| 3 \| [\d.]+ s \| \d+ reads \+ \d+ writes \| [\d.]+ \| \d+ \| \d+ \(GitHub's limit: 80\) \| [\d.]+ \|$/m);
      expect(report).toContain("Check run: success.");
      // 6. Sweep: converged costs a constant few reads and no write; 5 missed tags → 10 PRs (2 environments).
      expect(report).toMatch(/^\| converged \| 3 \| 0 \| 0 \| 0 \| [\d.]+ ms \|$/m);
      expect(report).toMatch(/^\| 5 tags pushed with no webhook \| \d+ \| \d+ \| \d+ \| 10 \| [\d.]+ ms \|$/m);
      expect(report).toMatch(/^\| the next sweep \(those PRs waiting for review\) \| 3 \| 0 \| 0 \| 0 \| [\d.]+ ms \|$/m);
      // A release missed while the app was down is promoted by the start-up sweep.
      expect(report).toMatch(/^### 7\. Recovery after a restart$/m);
      expect(report).toMatch(/^\| [\d.]+ ms \| [\d.]+ ms \| \d+ \|$/m);
      // 8. The added time of one provenance verification.
      expect(report).toMatch(/^### 8\. Build provenance \(environments with requireProvenance\)$/m);
      expect(report).toMatch(/^\| 50 \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+× \|$/m);
      // 5. Memory.
      expect(report).toMatch(/^\| release-promoter \| [\d.]+ MiB \| [\d.]+ MiB \| [\d.]+ MiB \|$/m);
      expect(report).toMatch(/^\| bare Probot app \| [\d.]+ MiB \| [\d.]+ MiB \| [\d.]+ MiB \|$/m);
    });
  }, 300_000);

  it("--only intake: prints the intake and memory sections, and appends nothing", async () => {
    await withBench(["--only", "intake", "--promotions", "1", "--intake-seconds", "2"], 180_000, async (log, output) => {
      expect(log).toMatch(/^### 3\. Webhook intake$/m);
      expect(log).toMatch(/^\| release-promoter \| \d+ \| \d+ \| 0 \| 0 \| \d+ ms \| \d+ ms \| \d+ µs \|$/m);
      expect(log).toMatch(/^\| bare Probot app \| \d+ \| \d+ \| 0 \| 0 \| \d+ ms \| \d+ ms \| \d+ µs \|$/m);
      expect(log).toMatch(/^### 5\. Memory \(resident set size\)$/m);
      expect(log).not.toMatch(/^### [124678]\./m);
      await expect(readFile(output, "utf8")).rejects.toThrow(/ENOENT/);
    });
  }, 190_000);
});
