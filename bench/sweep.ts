/**
 * What a sweep costs, in GitHub requests, for one installation with 20 services × 2 environments:
 * converged (every environment file runs every service's newest release), and with 5 tags of 5
 * services pushed without any webhook. The app runs in this process through Probot's `run()`
 * with the app's Octokit, as `npm start` does (the sweep is the function the app schedules at
 * start); requests are counted by the stand-in, time is sweep queued → every job it queued done.
 */
import { pino } from "pino";
import { type Server, run } from "probot";
import { BackgroundTasks } from "../src/background-tasks.js";
import { AppOctokit } from "../src/github/app-octokit.js";
import { createApp } from "../src/index.js";
import { freePort } from "../test/helpers/free-port.js";
import { seedManyServices } from "../test/stand-in/many-services.js";
import { startGitHubStandIn } from "../test/stand-in/server.js";
import type { ImageRegistry } from "../demo/sample-registries.js";

export interface SweepCounts {
  /** GraphQL and REST reads, writes, content-creating writes (tokens apart). */
  read: number;
  write: number;
  contentCreating: number;
  token: number;
  pullRequestsOpened: number;
  /** Sweep queued → it and every job it queued done (promotions included, paced 1.05 s apart per write). */
  ms: number;
}

export interface SweepResult {
  services: number;
  environments: number;
  converged: SweepCounts;
  missed: { tags: number } & SweepCounts;
  /** The sweep after the missed tags' PRs were opened (waiting for review). */
  waiting: SweepCounts;
}

const SERVICES = 20;
const ENVIRONMENTS = ["staging", "prod"];
const MISSED = 5;

export async function measureSweep(images: ImageRegistry, privateKey: string, installationId: number): Promise<SweepResult> {
  const github = await startGitHubStandIn({ appId: 1, privateKey });
  github.addInstallation(installationId);
  const { names, commits, digests } = await seedManyServices(github.world, {
    installationId,
    services: SERVICES,
    environments: ENVIRONMENTS,
    registryHost: images.host,
    pushImage: (repository, commit) => images.pushFor(repository, commit),
  });

  const port = await freePort();
  const env = { ...github.env, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "bench", HOST: "127.0.0.1", PORT: String(port), NO_SMEE_SETUP: "true" as const };
  const tasks = new BackgroundTasks(() => {});
  let sweep: (() => Promise<void>) | undefined;
  let server: Server | undefined;
  try {
    server = await run(createApp({ env, tasks, onStart: (start) => (sweep = start.sweep) }), { env, log: pino({ level: "silent" }), Octokit: AppOctokit });
    const measure = async (): Promise<SweepCounts> => {
      const mark = github.requests.length;
      const before = github.world.pullRequestsOf("acme/infra").length;
      const started = performance.now();
      await sweep!();
      await tasks.idle();
      const ms = performance.now() - started;
      const counts = github.counts(mark);
      return { read: counts.read, write: counts.write, contentCreating: counts.contentCreating, token: counts.token, pullRequestsOpened: github.world.pullRequestsOf("acme/infra").length - before, ms };
    };
    const converged = await measure();
    // Five services release at once, and no webhook arrives (GitHub sends none for more than three tags in one push).
    for (const name of names.slice(0, MISSED)) {
      const commit = github.world.commitOn(`acme/${name}`, { "CHANGELOG.md": "- 1.1.0\n" }, { message: "Release 1.1.0" });
      await images.pushFor(`acme/${name}`, commit);
      github.world.tag(`acme/${name}`, `${name}-v1.1.0`, commit, { annotated: true });
    }
    const missed = await measure();
    const waiting = await measure();
    github.assertNoProblems();
    return { services: SERVICES, environments: ENVIRONMENTS.length, converged, missed: { tags: MISSED, ...missed }, waiting };
  } finally {
    await tasks.idle();
    await server?.stop();
    await github.stop();
  }
}
