/** The bench's figures as a BENCHMARKS.md section: one run, side by side, with the machine it ran on. */
import { cpus, release, totalmem } from "node:os";
import type { FanOutResult } from "./fan-out.js";
import type { IntakeResult } from "./intake.js";
import type { PromotionRun } from "./promotions.js";
import type { ProvenanceResult } from "./provenance.js";
import type { RecoveryResult } from "./recovery.js";
import type { SweepResult } from "./sweep.js";

export interface BenchResults {
  command: string;
  startedAt: Date;
  wallSeconds: number;
  registry: string;
  promotionsPerSetting: number;
  latencies: Array<{ latencyMs: number; app: PromotionRun[]; baseline: PromotionRun[] }>;
  intake: {
    app: IntakeResult;
    bare: IntakeResult;
    rssIdleApp: number;
    rssIdleBare: number;
    /** A minute after the intake ended: the app's HCL parser has ended its worker by then. */
    rssIdleAgainApp: number;
    rssIdleAgainBare: number;
    tagDeliveryShare: string;
  };
  fanOut: FanOutResult;
  sweep: SweepResult;
  recovery: RecoveryResult;
  provenance: ProvenanceResult;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => (b === 0 ? "n/a" : `${(a / b).toFixed(2)}×`);
const range = (values: number[]) => (Math.min(...values) === Math.max(...values) ? String(values[0]) : `${Math.min(...values)}–${Math.max(...values)}`);

export function machineFacts(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;
}

export function renderReport(results: BenchResults): string {
  const out: string[] = [];
  const [zero, fifty] = [results.latencies.find((l) => l.latencyMs === 0)!, results.latencies.find((l) => l.latencyMs === 50)!];
  const median = (runs: PromotionRun[]) => percentile(runs.map((r) => r.tagToPrMs), 50);
  const p95 = (runs: PromotionRun[]) => percentile(runs.map((r) => r.tagToPrMs), 95);
  const trips = (runs0: PromotionRun[], runs50: PromotionRun[]) => (median(runs50) - median(runs0)) / 50;
  const all = results.latencies.flatMap((l) => l.app);
  const base = results.latencies.flatMap((l) => l.baseline);
  const total = (r: PromotionRun) => r.reads + r.writes;
  const appMedianTotal = percentile(all.filter((r) => !r.first).map(total), 50);
  const baseMedianTotal = percentile(base.map(total), 50);

  out.push(`## ${results.startedAt.toISOString().slice(0, 10)} — \`${results.command}\``, "");
  out.push(`- Machine: ${machineFacts()}`);
  out.push(`- Started ${results.startedAt.toISOString()}, took ${results.wallSeconds.toFixed(0)} s. GitHub: the stand-in (test/stand-in) on loopback; registry: ${results.registry}.`);
  out.push("");

  out.push("### 1. GitHub requests per promotion", "");
  out.push(`Over ${all.length} app promotions and ${base.length} baseline runs (each opens a PR; the previous one was merged). Installation tokens not counted.`, "");
  out.push("| | reads | writes | content-creating | total |", "|---|---|---|---|---|");
  const cached = all.filter((r) => !r.first);
  const firsts = all.filter((r) => r.first);
  const appRow = (label: string, runs: PromotionRun[]) =>
    `| ${label} | ${range(runs.map((r) => r.reads))} | ${range(runs.map((r) => r.writes))} | ${range(runs.map((r) => r.contentCreating))} | ${range(runs.map(total))} |`;
  out.push(appRow("app (webhook → check run), config cached", cached));
  out.push(appRow("app, first promotion of a process (config not cached yet)", firsts));
  out.push(`| baseline workflow script | ${range(base.map((r) => r.reads))} | ${range(base.map((r) => r.writes))} | ${range(base.map((r) => r.contentCreating))} | ${range(base.map(total))} |`);
  out.push(`| ratio app (config cached) / baseline | | | | ${ratio(appMedianTotal, baseMedianTotal)} |`);
  out.push("");
  out.push("The app's count includes the check run it posts on the tagged commit (one content-creating write) and the checks the baseline skips (tag's repository, tag on main, version policy, HCL re-parse); the baseline posts nothing on the commit.", "");

  out.push("### 2. Tag-to-PR latency", "");
  out.push(`${results.promotionsPerSetting} promotions per row; the two rows run side by side, each with its own stand-in and app process. App: signed delivery sent → answer to the mutation that opened the PR. Baseline: script start (digest lookup) → answer to \`POST /pulls\` (a real workflow adds runner start-up, not counted here).`, "");
  out.push("| added latency per GitHub request | app median | app p95 | baseline median | baseline p95 |", "|---|---|---|---|---|");
  for (const setting of results.latencies) {
    out.push(`| ${setting.latencyMs} ms | ${ms(median(setting.app))} | ${ms(p95(setting.app))} | ${ms(median(setting.baseline))} | ${ms(p95(setting.baseline))} |`);
  }
  if (zero !== undefined && fifty !== undefined) {
    out.push("");
    out.push(
      `In round trips ((median at 50 ms − median at 0 ms) / 50 ms): app ${trips(zero.app, fifty.app).toFixed(2)}, baseline ${trips(zero.baseline, fifty.baseline).toFixed(2)}.`,
    );
    out.push("");
    // The fewest round trips from tag to PR: one read (the tag, infra's file), one write (branch, commit and PR in one mutation).
    const PHYSICAL_LIMIT_TRIPS = 2;
    const appAt50 = median(fifty.app);
    out.push(
      `Physical limit: ${PHYSICAL_LIMIT_TRIPS} round trips (one read, one write that creates the branch, the commit and the PR); the app takes ${(trips(zero.app, fifty.app) / PHYSICAL_LIMIT_TRIPS).toFixed(2)}× that.`,
    );
    out.push("");
    out.push("| target | figure | met |", "|---|---|---|");
    out.push(`| app median at 50 ms ≤ 0.7× the baseline's | ${ratio(appAt50, median(fifty.baseline))} | ${appAt50 <= 0.7 * median(fifty.baseline) ? "yes" : "no"} |`);
    out.push(`| app median at 50 ms ≤ 3 round trips + 30 ms (180 ms) | ${ms(appAt50)} | ${appAt50 <= 180 ? "yes" : "no"} |`);
    out.push(`| app median at 0 ms < 100 ms | ${ms(median(zero.app))} | ${median(zero.app) < 100 ? "yes" : "no"} |`);
  }
  out.push("");

  out.push(...intakeSection(results.intake));
  const fan = results.fanOut;
  out.push("### 4. Contracts fan-out", "");
  out.push(`One \`contracts-v0.3.2\` delivery, ${fan.consumers} npm consumers (package.json + package-lock.json), app pacing on. Check run: ${fan.conclusion}.`, "");
  out.push("| consumers | PRs opened | total time | requests | per consumer | content-creating | peak per 60 s | mean per minute |", "|---|---|---|---|---|---|---|---|");
  out.push(
    `| ${fan.consumers} | ${fan.pullRequests} | ${(fan.totalMs / 1000).toFixed(1)} s | ${fan.reads} reads + ${fan.writes} writes | ${((fan.reads + fan.writes) / fan.consumers).toFixed(2)} | ${fan.contentCreating} | ${fan.contentCreatingPeakPerMinute} (GitHub's limit: 80) | ${fan.contentCreatingMeanPerMinute.toFixed(1)} |`,
  );
  out.push("");

  out.push(...memorySection(results.intake));
  const sweep = results.sweep;
  out.push("### 6. Reconciler sweep", "");
  out.push(
    `One installation, ${sweep.services} services × ${sweep.environments} environments (${sweep.services * sweep.environments} keys), GitHub requests of one sweep (the installation list, the sweep's reads, and the promotions it queued), tokens apart.`,
    "",
  );
  out.push("| state | reads | writes | content-creating | PRs opened | time |", "|---|---|---|---|---|---|");
  const row = (label: string, c: SweepResult["converged"]) => `| ${label} | ${c.read} | ${c.write} | ${c.contentCreating} | ${c.pullRequestsOpened} | ${ms(c.ms)} |`;
  out.push(row("converged", sweep.converged));
  out.push(row(`${sweep.missed.tags} tags pushed with no webhook`, sweep.missed));
  out.push(row("the next sweep (those PRs waiting for review)", sweep.waiting));
  out.push("");
  out.push("Time: sweep queued → it and every promotion it queued done; each promotion's PR and check run are content-creating, paced 1.05 s apart per installation (GitHub's secondary limits), which is most of the 5-tag row.", "");
  const rec = results.recovery;
  out.push("### 7. Recovery after a restart", "");
  out.push(
    "A release tagged (image pushed) while the app was down, so no webhook reached it; then the app started as `npm start` starts it, with the default sweep interval (one sweep at start).",
    "",
  );
  out.push("| process spawned → accepting deliveries | spawned → the missed promotion's PR opened | GitHub requests until then |", "|---|---|---|");
  out.push(`| ${ms(rec.readyMs)} | ${ms(rec.pullRequestMs)} | ${rec.requests} |`);
  out.push("");
  const prov = results.provenance;
  const appMedian = median(zero.app);
  out.push("### 8. Build provenance (environments with requireProvenance)", "");
  out.push(
    "Added to a promotion: 1 GitHub request (the digest's attestations) and one offline verification, measured on a real public-good attestation made by a GitHub workflow, against the app's built-in trusted root.",
    "",
  );
  out.push("| verifications | first of the process | median | p95 | median / the app's tag → PR median at 0 ms added |", "|---|---|---|---|---|");
  out.push(`| ${prov.runs} | ${ms(prov.firstMs)} | ${ms(prov.medianMs)} | ${ms(prov.p95Ms)} | ${ratio(prov.medianMs, appMedian)} |`);
  out.push("");
  return out.join("\n");
}

/** Section 3: the webhook intake, app beside the bare Probot app. */
function intakeSection(intake: BenchResults["intake"]): string[] {
  const out: string[] = [];
  const { app, bare } = intake;
  out.push("### 3. Webhook intake", "");
  out.push(
    `autocannon, ${app.connections} connections, ${app.durationSeconds} s per app in alternating rounds (app then bare, bare then app, …; throughput over all rounds, p50 and p99 the mean of the rounds'), signed \`push\` deliveries over loopback: ${intake.tagDeliveryShare}. The app runs as \`npm start\` runs it (\`node dist/main.js\`), the bare app under \`probot run\`, with the same settings.`,
    "",
  );
  out.push("| | deliveries/s | deliveries | non-2xx | errors + timeouts | p50 | p99 | CPU per delivery |", "|---|---|---|---|---|---|---|---|");
  for (const row of [app, bare]) {
    out.push(
      `| ${row.target} | ${row.deliveriesPerSecond.toFixed(0)} | ${row.deliveries} | ${row.non2xx} | ${row.errors + row.timeouts} | ${row.latencyP50Ms} ms | ${row.latencyP99Ms} ms | ${row.cpuMicrosPerDelivery.toFixed(0)} µs |`,
    );
  }
  out.push("");
  out.push(
    `Overhead of the app over a bare Probot app: throughput ${ratio(app.deliveriesPerSecond, bare.deliveriesPerSecond)} of the bare app's (target: at least 0.95×); p99 ${ratio(app.latencyP99Ms, bare.latencyP99Ms)} (target: at most 1.5×).`,
    "",
  );
  out.push(
    `CPU per delivery (the process's user + system time over its rounds ÷ its responses; other load on a shared machine moves it much less than deliveries/s): the app's is ${ratio(app.cpuMicrosPerDelivery, bare.cpuMicrosPerDelivery)} the bare app's, i.e. a throughput of ${ratio(bare.cpuMicrosPerDelivery, app.cpuMicrosPerDelivery)} the bare app's where both are bound by their CPU.`,
    "",
  );
  out.push(...roundSpread(app, bare));
  return out;
}

/**
 * The ratios of each round's app run to the bare app's run next to it (the two back to back), as
 * min–median–max: how far one round pair strays from the totals above on this machine.
 */
function roundSpread(app: IntakeResult, bare: IntakeResult): string[] {
  if (app.rounds === undefined || bare.rounds === undefined || app.rounds.length !== bare.rounds.length || app.rounds.length < 2) return [];
  const pairs = app.rounds.map((round, i) => ({ app: round, bare: bare.rounds![i]! }));
  // The report's one percentile (nearest rank), as for the latency medians.
  const spread = (values: number[]) => [0, 50, 100].map((p) => percentile(values, p).toFixed(2)).join("–") + "×";
  return [
    `Round by round (${pairs.length} pairs, min–median–max of app ÷ bare): throughput ${spread(pairs.map((pair) => pair.app.deliveriesPerSecond / pair.bare.deliveriesPerSecond))}; CPU per delivery ${spread(pairs.map((pair) => pair.app.cpuMicrosPerDelivery / pair.bare.cpuMicrosPerDelivery))}.`,
    "",
  ];
}

/** Section 5: resident memory, idle and after the intake run. */
function memorySection(intake: BenchResults["intake"]): string[] {
  const out: string[] = [];
  const { app, bare } = intake;
  out.push("### 5. Memory (resident set size)", "");
  out.push("| | idle (after start) | at the end of the intake run | idle again (a minute after the intake) |", "|---|---|---|---|");
  out.push(`| ${app.target} | ${mib(intake.rssIdleApp)} | ${mib(app.rssAfterBytes)} | ${mib(intake.rssIdleAgainApp)} |`);
  out.push(`| ${bare.target} | ${mib(intake.rssIdleBare)} | ${mib(bare.rssAfterBytes)} | ${mib(intake.rssIdleAgainBare)} |`);
  out.push(
    `| app ÷ bare (target: at most 1.5×) | ${ratio(intake.rssIdleApp, intake.rssIdleBare)} | ${ratio(app.rssAfterBytes, bare.rssAfterBytes)} | ${ratio(intake.rssIdleAgainApp, intake.rssIdleAgainBare)} |`,
  );
  out.push("");
  out.push(
    "Idle again: read a minute after the intake's last delivery, when the app's HCL parser (a worker thread, src/editors/hcl-parser.ts) has ended, since it ends a minute after its last parse.",
    "",
  );
  return out;
}

/** `npm run bench -- --only intake`: sections 3 and 5 alone, with the machine they ran on. */
export function renderIntakeOnly(intake: BenchResults["intake"]): string {
  return [`- Machine: ${machineFacts()}`, "", ...intakeSection(intake), ...memorySection(intake)].join("\n");
}
