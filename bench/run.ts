/**
 * `npm run bench`: one run, side by side, on this machine; the figures are appended to
 * BENCHMARKS.md. It reports, it never asserts timings.
 *
 *   npm run bench [-- --promotions 50 --intake-seconds 40 --consumers 50 --output BENCHMARKS.md]
 *   npm run bench -- --only intake [--promotions 1 --intake-seconds 40]
 *
 * `--only intake` runs the webhook intake (section 3) and its memory figures (section 5) alone,
 * against the app with no added latency after `--promotions` promotions (the tag in the mix is
 * the last one promoted), and prints them; it appends nothing to BENCHMARKS.md (only whole runs
 * go there).
 *
 * Everything runs locally: the GitHub stand-in, an OCI registry (Debian's docker-registry when
 * installed, else a minimal stand-in), verdaccio, and the app as a real process, as `npm start` runs it.
 */
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startContractsRegistry, startImageRegistry } from "../demo/sample-registries.js";
import { throwawayPrivateKey } from "../test/helpers/throwaway-key.js";
import { seedSampleOrg } from "../test/stand-in/sample-org.js";
import { startGitHubStandIn } from "../test/stand-in/server.js";
import { pushPayload } from "../test/stand-in/webhooks.js";
import { HCL_PARSER_IDLE_MS } from "../src/editors/hcl-parser.js";
import { startAppProcess } from "./app-process.js";
import { buildApp } from "./build-app.js";
import { baselineOctokit } from "./baseline-workflow.js";
import { measureFanOut } from "./fan-out.js";
import { intakePayloads, runIntakeRounds } from "./intake.js";
import { type PromotionSetup, measureAppPromotions, measureBaselinePromotions } from "./promotions.js";
import { type BenchResults, renderIntakeOnly, renderReport } from "./report.js";
import { measureProvenance } from "./provenance.js";
import { measureRecovery } from "./recovery.js";
import { measureSweep } from "./sweep.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const APP_ID = 1;
const INSTALLATION = 1;
/**
 * Intake alternates app and bare app in rounds of this many seconds (see runIntakeRounds). On the
 * shared 2-core VM one round pair strays ±5 % from the next (BENCHMARKS.md prints the spread):
 * the default 40 s per app gives 8 pairs.
 */
const INTAKE_ROUND_SECONDS = 5;
/** After the HCL parser's idle time, before reading the memory: its worker has ended by then. */
const IDLE_AGAIN_MARGIN_MS = 5_000;

const { values } = parseArgs({
  options: {
    promotions: { type: "string", default: "50" },
    "intake-seconds": { type: "string", default: "40" },
    consumers: { type: "string", default: "50" },
    output: { type: "string", default: "BENCHMARKS.md" },
    only: { type: "string" },
  },
});
const promotions = Number(values.promotions);
const intakeSeconds = Number(values["intake-seconds"]);
const intakeRounds = Math.max(2, Math.round(intakeSeconds / INTAKE_ROUND_SECONDS));
const consumerCount = Number(values.consumers);
const output = resolve(projectRoot, values.output);
if (values.only !== undefined && values.only !== "intake") throw new Error(`--only ${values.only}: only "intake" is supported`);
const intakeOnly = values.only === "intake";
if (!(promotions >= 1)) throw new Error("--promotions: at least 1 (the intake's tag push is the last promotion's tag)");

function step(text: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const wall = performance.now();
  const stops: Array<() => Promise<void>> = [];
  try {
    step("building the app (tsc -p tsconfig.build.json, into .tmp/bench-build)");
    const entry = buildApp("bench-build");

    const privateKey = throwawayPrivateKey();
    const images = await startImageRegistry();
    stops.push(() => images.stop());
    const npm = await startContractsRegistry();
    stops.push(() => npm.stop());
    const home = await mkdtemp(join(tmpdir(), "release-promoter-bench-home-"));
    stops.push(() => rm(home, { recursive: true, force: true }));
    const appEnv = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "bench-webhook-secret",
      LOG_LEVEL: "warn",
      NO_SMEE_SETUP: "true",
      NODE_ENV: "production",
      // No sweeps in the app processes: the one at start would share Probot's GraphQL spacing with
      // the first promotions and count in their figures. Section 6 measures sweeps on their own.
      RECONCILE_INTERVAL_SECONDS: "0",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
    };

    // One series per added latency, side by side (the app spends most of a promotion waiting
    // on GitHub pacing, not on CPU): each has its own stand-in, sample org and app process.
    const startSeries = async (latencyMs: number) => {
      const github = await startGitHubStandIn({ appId: APP_ID, privateKey, latencyMs });
      stops.push(() => github.stop());
      github.addInstallation(INSTALLATION);
      seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: images.host });
      const app = await startAppProcess({ entry, name: "release-promoter", env: { ...appEnv, ...github.env } });
      stops.unshift(() => app.kill());
      let patch = 0;
      const setup: PromotionSetup = { github, images, installationId: INSTALLATION, nextVersion: () => `0.${11 + latencyMs}.${++patch}` };
      return { latencyMs, github, app, setup };
    };
    step(
      intakeOnly
        ? `starting a stand-in and the app process (intake only); registry: ${images.kind}`
        : `starting two stand-ins and two app processes (0 and 50 ms added per GitHub request); registry: ${images.kind}`,
    );
    const series = intakeOnly ? [await startSeries(0)] : [await startSeries(0), await startSeries(50)];
    const quiet = series[0]!;
    const bare = await startAppProcess({ entry: "bench/bare-app.js", name: "bare Probot app", env: { ...appEnv, ...quiet.github.env } });
    stops.unshift(() => bare.kill());
    await sleep(1_000);
    const rssIdleApp = quiet.app.rssBytes();
    const rssIdleBare = bare.rssBytes();

    step(intakeOnly ? `${promotions} app promotions` : `${promotions} app promotions then ${promotions} baseline runs in each series`);
    const latencies: BenchResults["latencies"] = await Promise.all(
      series.map(async ({ latencyMs, github, app, setup }) => {
        const appRuns = await measureAppPromotions(setup, app, promotions);
        if (intakeOnly) return { latencyMs, app: appRuns, baseline: [] };
        // The token GitHub Actions would hand the workflow (not one of its requests).
        const baselineRuns = await measureBaselinePromotions(setup, baselineOctokit(github.apiUrl, github.installationToken(INSTALLATION)), images.url, promotions);
        return { latencyMs, app: appRuns, baseline: baselineRuns };
      }),
    );
    await series[1]?.app.kill();

    // The tag in the mix is the last one the app promoted: a redelivery (1 read with the config cached, no writes).
    const lastTag = `core-v0.11.${promotions}`;
    const lastTagObject = quiet.github.world.mustRepository("acme/core-api").git.refs.get(`refs/tags/${lastTag}`)!;
    const payloads = intakePayloads(pushPayload(quiet.github.world, { repository: "acme/core-api", ref: `refs/tags/${lastTag}`, after: lastTagObject, installationId: INSTALLATION }));
    step(`webhook intake: ${intakeSeconds} s against each app, in ${intakeRounds} alternating rounds`);
    const [intakeApp, intakeBare] = await runIntakeRounds({ targets: [quiet.app, bare], payloads, durationSeconds: intakeSeconds, rounds: intakeRounds });
    // Idle again: the app's HCL parser ends its worker a minute after its last parse (src/editors/hcl-parser.ts).
    step(`idle ${(HCL_PARSER_IDLE_MS + IDLE_AGAIN_MARGIN_MS) / 1000} s after the intake, for the memory once the HCL parser's worker has ended`);
    await sleep(HCL_PARSER_IDLE_MS + IDLE_AGAIN_MARGIN_MS);
    const rssIdleAgainApp = quiet.app.rssBytes();
    const rssIdleAgainBare = bare.rssBytes();
    // Their drain on SIGTERM (the app's backlog of tag pushes) is not part of any figure.
    await quiet.app.kill();
    await bare.kill();
    if (intakeOnly) {
      const section = renderIntakeOnly({ app: intakeApp!, bare: intakeBare!, rssIdleApp, rssIdleBare, rssIdleAgainApp, rssIdleAgainBare, tagDeliveryShare: TAG_DELIVERY_SHARE });
      console.log(`\n${section}`);
      step("--only intake: nothing appended to BENCHMARKS.md");
      return;
    }

    step(`contracts fan-out over ${consumerCount} consumers`);
    const fanOut = await measureFanOut({ entry, consumers: consumerCount, appId: APP_ID, privateKey, installationId: INSTALLATION, npm, registryHost: images.host, appEnv });
    for (const { github } of series) github.assertNoProblems();

    step("sweep of 1 installation × 20 services × 2 environments: converged, then 5 tags missed");
    const sweep = await measureSweep(images, privateKey, INSTALLATION);

    step("recovery after a restart: a release tagged while the app was down, then the app started");
    const recovery = await measureRecovery({ entry, images, privateKey, installationId: INSTALLATION, appEnv });

    step("build provenance: one verification of a real attestation against the built-in trusted root");
    const provenance = measureProvenance();

    const results: BenchResults = {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      startedAt,
      wallSeconds: (performance.now() - wall) / 1000,
      registry: images.kind,
      promotionsPerSetting: promotions,
      latencies,
      intake: {
        app: intakeApp!,
        bare: intakeBare!,
        rssIdleApp,
        rssIdleBare,
        rssIdleAgainApp,
        rssIdleAgainBare,
        tagDeliveryShare: TAG_DELIVERY_SHARE,
      },
      fanOut,
      sweep,
      recovery,
      provenance,
    };
    const section = renderReport(results);
    if (!existsSync(output)) await writeFile(output, BENCHMARKS_HEADER);
    await appendFile(output, `\n${section}`);
    console.log(`\n${section}`);
    step(`appended to ${output}`);
  } finally {
    for (const stop of stops) await stop().catch((error: unknown) => console.error(`stopping: ${(error as Error).message}`));
  }
}

const TAG_DELIVERY_SHARE =
  "19 of every 20 are branch pushes (ignored without a GitHub request), 1 is a tag push the app promotes in the background (here a redelivery: 1 GitHub read with the config cached)";

const BENCHMARKS_HEADER = `# Benchmarks

Figures from \`npm run bench\` (bench/run.ts), one section per run, newest last. Each run is
side by side on one machine: the app and its baseline against the same GitHub stand-in
(test/stand-in, on loopback) and registry. Timings are reports, never assertions; compare
ratios and request counts across machines, not milliseconds.
`;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
