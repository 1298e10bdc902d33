/**
 * `npm run bench`: one run, side by side, on this machine; the figures are appended to
 * BENCHMARKS.md. It reports, it never asserts timings.
 *
 *   npm run bench [-- --promotions 50 --intake-seconds 20 --consumers 50 --output BENCHMARKS.md]
 *
 * Everything runs locally: the GitHub stand-in, an OCI registry (Debian's docker-registry when
 * installed, else a minimal stand-in), verdaccio, and the app as a real `probot run` process.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ProbotOctokit } from "probot";
import { startContractsRegistry, startImageRegistry } from "../demo/sample-registries.js";
import { throwawayPrivateKey } from "../test/helpers/throwaway-key.js";
import { seedSampleOrg } from "../test/stand-in/sample-org.js";
import { startGitHubStandIn } from "../test/stand-in/server.js";
import { pushPayload } from "../test/stand-in/webhooks.js";
import { startAppProcess } from "./app-process.js";
import { baselineOctokit } from "./baseline-workflow.js";
import { measureFanOut } from "./fan-out.js";
import { intakePayloads, runIntake } from "./intake.js";
import { type PromotionSetup, measureAppPromotions, measureBaselinePromotions } from "./promotions.js";
import { type BenchResults, renderReport } from "./report.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const APP_ID = 1;
const INSTALLATION = 1;

const { values } = parseArgs({
  options: {
    promotions: { type: "string", default: "50" },
    "intake-seconds": { type: "string", default: "20" },
    consumers: { type: "string", default: "50" },
    output: { type: "string", default: "BENCHMARKS.md" },
  },
});
const promotions = Number(values.promotions);
const intakeSeconds = Number(values["intake-seconds"]);
const consumerCount = Number(values.consumers);
const output = resolve(projectRoot, values.output);

function step(text: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const wall = performance.now();
  const stops: Array<() => Promise<void>> = [];
  try {
    step("building the app (tsc -p tsconfig.build.json)");
    execFileSync(process.execPath, [join(projectRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: projectRoot, stdio: "inherit" });

    const privateKey = throwawayPrivateKey();
    const images = await startImageRegistry();
    stops.push(() => images.stop());
    const npm = await startContractsRegistry();
    stops.push(() => npm.stop());
    const github = await startGitHubStandIn({ appId: APP_ID, privateKey });
    stops.push(() => github.stop());
    github.addInstallation(INSTALLATION);
    seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: images.host });

    const home = await mkdtemp(join(tmpdir(), "release-promoter-bench-home-"));
    stops.push(() => rm(home, { recursive: true, force: true }));
    const appEnv = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "bench-webhook-secret",
      LOG_LEVEL: "warn",
      NO_SMEE_SETUP: "true",
      NODE_ENV: "production",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
    };
    step(`starting the app and a bare Probot app (probot run), GitHub stand-in at ${github.url}, registry ${images.kind}`);
    const app = await startAppProcess({ entry: "./dist/index.js", name: "release-promoter", env: { ...appEnv, ...github.env } });
    stops.unshift(() => app.stop());
    const bare = await startAppProcess({ entry: "bench/bare-app.js", name: "bare Probot app", env: { ...appEnv, ...github.env } });
    stops.unshift(() => bare.stop());
    await sleep(1_000);
    const rssIdleApp = app.rssBytes();
    const rssIdleBare = bare.rssBytes();

    const { token } = (await new ProbotOctokit({ baseUrl: github.apiUrl, auth: { appId: APP_ID, privateKey, installationId: INSTALLATION } }).auth({ type: "installation" })) as { token: string };
    const octokit = baselineOctokit(github.apiUrl, token);
    let patch = 0;
    const setup: PromotionSetup = { github, images, installationId: INSTALLATION, nextVersion: () => `0.11.${++patch}` };
    const latencies: BenchResults["latencies"] = [];
    for (const latencyMs of [0, 50]) {
      github.latencyMs = latencyMs;
      step(`${promotions} app promotions with ${latencyMs} ms added per GitHub request`);
      const appRuns = await measureAppPromotions(setup, app, promotions);
      step(`${promotions} baseline workflow runs with ${latencyMs} ms added per GitHub request`);
      const baselineRuns = await measureBaselinePromotions(setup, octokit, images.url, promotions);
      latencies.push({ latencyMs, app: appRuns, baseline: baselineRuns });
    }
    github.latencyMs = 0;

    // The tag in the mix is the last one the app promoted: a redelivery (2 reads, no writes).
    const lastTag = `core-v0.11.${patch - promotions}`;
    const lastTagObject = github.world.mustRepository("acme/core-api").git.refs.get(`refs/tags/${lastTag}`)!;
    const payloads = intakePayloads(pushPayload(github.world, { repository: "acme/core-api", ref: `refs/tags/${lastTag}`, after: lastTagObject, installationId: INSTALLATION }));
    step(`webhook intake: ${intakeSeconds} s against the app, then ${intakeSeconds} s against the bare app`);
    const intakeApp = await runIntake({ target: app, payloads, durationSeconds: intakeSeconds });
    const intakeBare = await runIntake({ target: bare, payloads, durationSeconds: intakeSeconds });
    await app.stop();
    await bare.stop();

    step(`contracts fan-out over ${consumerCount} consumers`);
    const fanOut = await measureFanOut({ consumers: consumerCount, appId: APP_ID, privateKey, installationId: INSTALLATION, npm, registryHost: images.host, appEnv });
    github.assertNoProblems();

    const results: BenchResults = {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      startedAt,
      wallSeconds: (performance.now() - wall) / 1000,
      registry: images.kind,
      promotionsPerSetting: promotions,
      latencies,
      intake: { app: intakeApp, bare: intakeBare, rssIdleApp, rssIdleBare, tagDeliveryShare: "19 of every 20 are branch pushes (ignored without a GitHub request), 1 is a tag push the app promotes in the background (here a redelivery: 2 GitHub reads)" },
      fanOut,
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
