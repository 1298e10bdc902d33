/**
 * Two replicas, as an org that runs the app highly available runs it: two processes
 * of the compiled app as `npm start` runs it (`node dist/main.js`) with one REDIS_URL (a real redis-server) and one
 * GitHub (the stand-in). Deliveries reach both; the work is done once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AppProcess, startAppProcess } from "../../bench/app-process.js";
import { buildApp } from "../../bench/build-app.js";
import { type OciRegistry, pushImage, startOciRegistry } from "../helpers/oci-registry.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { QUEUE_NAME } from "../../src/jobs/redis-queue.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { seedManyServices } from "../stand-in/many-services.js";
import { seedSampleOrg } from "../stand-in/sample-org.js";
import { type GitHubStandIn, startGitHubStandIn } from "../stand-in/server.js";
import { pushPayload } from "../stand-in/webhooks.js";

const INSTALLATION = 5;
const SERVICES = 30;
const privateKey = throwawayPrivateKey();

describe("two replicas on one Redis", () => {
  let registry: OciRegistry;
  let storage: string;
  let redis: RedisServer;
  let github: GitHubStandIn;
  let home: string;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), "release-promoter-replicas-registry-"));
    home = await mkdtemp(join(tmpdir(), "release-promoter-replicas-home-"));
    registry = await startOciRegistry({ storageDir: storage });
    redis = await startRedisServer();
  });
  beforeEach(async () => {
    github = await startGitHubStandIn({ appId: 1, privateKey });
    github.addInstallation(INSTALLATION);
  });
  afterEach(async () => {
    for (const app of processes.splice(0)) await app.kill().catch(() => undefined);
    await github.stop();
  });
  afterAll(async () => {
    await redis.stop();
    await registry.stop();
    await rm(storage, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  /** Two processes of the compiled app (`node main.js`) on one Redis (a queue prefix of their own: a fresh Redis database per test). */
  async function startReplicas(entry: string, extra: Record<string, string>): Promise<AppProcess[]> {
    const env = {
      ...github.env,
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "replicas-secret",
      REDIS_URL: `${redis.url}/${++database}`,
      NO_SMEE_SETUP: "true",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      ...extra,
    };
    const replicas = [await startAppProcess({ entry, env, name: "replica-a" }), await startAppProcess({ entry, env, name: "replica-b" })];
    processes.push(...replicas);
    return replicas;
  }
  let database = 0;

  /**
   * Jobs in BullMQ's delayed set of the queue in Redis database `db` (the app's default prefix
   * "bull"), once there are any or after 5 s: the worker moves a job there just after the run
   * that logged or reported the wait ends.
   */
  async function delayedJobsSoon(db: number): Promise<number> {
    const client = new Redis(`${redis.url}/${db}`, { maxRetriesPerRequest: 1 });
    try {
      let delayed = await client.zcard(`bull:${QUEUE_NAME}:delayed`);
      for (const deadline = Date.now() + 5_000; delayed === 0 && Date.now() < deadline; delayed = await client.zcard(`bull:${QUEUE_NAME}:delayed`)) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return delayed;
    } finally {
      client.disconnect();
    }
  }

  /** CI pushing the image built from `commit`; its digest. */
  const push = async (repository: string, commit: string) =>
    (await pushImage(registry.url, repository, { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": `${repository}@${commit}\n` }, reference: commit })).digest;

  it(`${SERVICES} tag deliveries, each sent to both replicas and some twice: each promotion is made once, with the writes of one replica receiving each once`, { timeout: 240_000 }, async () => {
    const entry = buildApp("replicas-build");
    const org = await seedManyServices(github.world, { installationId: INSTALLATION, services: SERVICES, environments: ["prod"], registryHost: registry.host, pushImage: push });
    // Each service's next release: a commit on main, its image, a tag (no webhook yet).
    const releases = [];
    for (const name of org.names) {
      const commit = github.world.commitOn(`acme/${name}`, { "CHANGELOG.md": "- 1.1.0\n- 1.0.0\n" }, { message: "Release 1.1.0" });
      const digest = await push(`acme/${name}`, commit);
      const tagObject = github.world.tag(`acme/${name}`, `${name}-v1.1.0`, commit, { annotated: true });
      releases.push({ name, commit, digest, payload: pushPayload(github.world, { repository: `acme/${name}`, ref: `refs/tags/${name}-v1.1.0`, after: tagObject, installationId: INSTALLATION }) });
    }
    const replicas = await startReplicas(entry, { RECONCILE_INTERVAL_SECONDS: "0", LOG_LEVEL: "warn" });

    const mark = github.requests.length;
    // Every delivery to both replicas at once; every third one a second time to each (a redelivery).
    const statuses = await Promise.all(
      releases.flatMap((release, i) => {
        const times = i % 3 === 0 ? 2 : 1;
        return replicas.flatMap((replica) => Array.from({ length: times }, () => replica.deliver("push", release.payload).then((r) => r.status)));
      }),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    for (const release of releases) {
      const check = await github.completedCheckRun(`acme/${release.name}`, release.commit, 120_000);
      expect(check, replicas.map((r) => r.logs().join("\n")).join("\n")).toMatchObject({ conclusion: "success" });
    }
    // Let the coalesced extra runs (a delivery that arrived while its promotion ran) finish.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const prs = github.world.pullRequestsOf("acme/infra", "open");
    expect(prs.map((pr) => pr.head).sort()).toEqual(org.names.map((name) => `release-promoter/prod/${name}`));
    for (const release of releases) {
      expect(github.world.checkRunsOn(`acme/${release.name}`, release.commit)).toHaveLength(1);
      expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", `release-promoter/prod/${release.name}`)).toContain(`${release.name}_image = "${registry.host}/acme/${release.name}@${release.digest}" # ${release.name}-v1.1.0`);
    }
    // One replica receiving each delivery once writes, per promotion, one mutation (branch, commit, PR) and one check run (README, "How many GitHub requests a promotion makes").
    const counts = github.counts(mark);
    expect(counts.write).toBe(2 * SERVICES);
    expect(counts.contentCreating).toBe(2 * SERVICES);
    for (const replica of replicas) await replica.stop();
    github.assertNoProblems();
  });

  it("a promotion waiting for its image is a delayed job in Redis; its replica SIGKILLed, the image pushed: the other replica runs it and opens the PR", { timeout: 180_000 }, async () => {
    const entry = buildApp("replicas-build");
    const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
    github.world.commitOn("acme/infra", { ".github/release-promoter.yml": org.configText.replace("imageWaitSeconds: 0", "imageWaitSeconds: 600") }, { message: "Wait for images" });
    const replicas = await startReplicas(entry, { RECONCILE_INTERVAL_SECONDS: "0", LOG_LEVEL: "info" });
    const tagObject = github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
    const waiting = github.nextRequest((request) => request.method === "POST" && request.name === "/repos/{owner}/{repo}/check-runs");
    expect((await replicas[0]!.deliver("push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: tagObject, installationId: INSTALLATION }))).status).toBe(200);
    await waiting;
    // Whichever replica's worker took the job is the one waiting for the image: kill that one.
    let holder: AppProcess | undefined;
    const deadline = Date.now() + 30_000;
    while (holder === undefined && Date.now() < deadline) {
      holder = replicas.find((replica) => replica.logs().some((line) => line.includes("waiting for image")));
      if (holder === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(holder, "neither replica logged that it waits for the image").toBeDefined();
    const survivor = replicas.find((replica) => replica !== holder)!;
    // It waits as a BullMQ delayed job (not a sleeping promise in the holder), so killing the holder loses nothing.
    expect(await delayedJobsSoon(database)).toBe(1);
    await holder!.kill(); // SIGKILL: no drain
    const digest = (await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.0\n" }, reference: org.coreCommit })).digest;

    // The delayed job comes due (the wait's backoff, at most 30 s) and the survivor runs it.
    const completed = await github.completedCheckRun("acme/core-api", org.coreCommit, 120_000);
    expect(completed, survivor.logs().join("\n")).toMatchObject({ conclusion: "success" });
    expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toHaveLength(1);
    const [pr, ...others] = github.world.pullRequestsOf("acme/infra", "open");
    expect(others).toHaveLength(0);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)).toContain(`core_image = "${registry.host}/acme/core-api@${digest}" # core-v0.10.0`);
    github.assertNoProblems();
  });

  it("a retryable GitHub failure (the PR write refused as stale) is retried as a delayed job with backoff: the check run says it retries, then the promotion completes once", { timeout: 120_000 }, async () => {
    const entry = buildApp("replicas-build");
    const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
    const digest = await push("acme/core-api", org.coreCommit);
    // The PR write refused because the branch moved meanwhile (GraphQL STALE_DATA), which Octokit's own retries do not retry.
    github.fault({ name: "OpenPromotionPullRequest", reply: { status: 200, body: { data: null, errors: [{ type: "STALE_DATA", message: "Expected branch to point to a different commit. Pull and try again." }] } } });
    const replicas = await startReplicas(entry, { RECONCILE_INTERVAL_SECONDS: "0", LOG_LEVEL: "info" });
    const tagObject = github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
    const retrying = github.nextRequest((request) => request.method === "POST" && request.name === "/repos/{owner}/{repo}/check-runs");
    expect((await replicas[0]!.deliver("push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: tagObject, installationId: INSTALLATION }))).status).toBe(200);
    await retrying;
    const [reported] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
    expect(reported, replicas.flatMap((replica) => replica.logs()).join("\n")).toMatchObject({ status: "in_progress", title: "Retrying after github_conflict" });
    expect(reported!.summary).toMatch(/tries again in \d+ s \(retry 1 of 5\)/);
    // Right after that report the worker moves the job to the delayed set.
    expect(await delayedJobsSoon(database)).toBe(1);

    const completed = await github.completedCheckRun("acme/core-api", org.coreCommit, 60_000);
    const logs = replicas.flatMap((replica) => replica.logs()).join("\n");
    expect(completed, logs).toMatchObject({ conclusion: "success" });
    expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toHaveLength(1);
    expect(github.requests.filter((request) => request.name === "OpenPromotionPullRequest")).toHaveLength(2);
    const [pr, ...others] = github.world.pullRequestsOf("acme/infra", "open");
    expect(others).toHaveLength(0);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)).toContain(`@${digest}" # core-v0.10.0`);
    github.assertNoProblems();
  });

  it("the sweep with two replicas: one BullMQ job scheduler, so each tick's reads happen once, and a tag pushed without a webhook is promoted once", { timeout: 120_000 }, async () => {
    const entry = buildApp("replicas-build");
    const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
    await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.0\n" }, reference: org.coreCommit });
    github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true }); // no webhook
    const INTERVAL_SECONDS = 3;
    const started = Date.now();
    const replicas = await startReplicas(entry, { RECONCILE_INTERVAL_SECONDS: String(INTERVAL_SECONDS), LOG_LEVEL: "warn" });
    const completed = await github.completedCheckRun("acme/core-api", org.coreCommit, 60_000);
    expect(completed).toMatchObject({ conclusion: "success" });
    await new Promise((resolve) => setTimeout(resolve, 5 * INTERVAL_SECONDS * 1000));
    for (const replica of replicas) await replica.stop();
    const elapsedTicks = (Date.now() - started) / (INTERVAL_SECONDS * 1000);

    const named = (name: string) => github.requests.filter((request) => request.name === name).length;
    const ticks = github.requests.filter((request) => request.method === "GET" && request.name === "/app/installations").length;
    const infraReads = named("ReadSweepInfra");
    // One read of each kind per tick: two replicas with their own timers would make about twice the ticks.
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(ticks).toBeLessThanOrEqual(Math.ceil(elapsedTicks) + 1);
    // Each tick's sweep of the installation once (the last tick's may still have been queued when the replicas stopped).
    expect(infraReads).toBeLessThanOrEqual(ticks);
    expect(infraReads).toBeGreaterThanOrEqual(ticks - 1);
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(1);
    expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toHaveLength(1);
    github.assertNoProblems();
  });

  it("Redis killed and restarted during a run: deliveries meanwhile are refused (5xx), nothing queued is lost, the replicas recover without a restart", { timeout: 240_000 }, async () => {
    const entry = buildApp("replicas-build");
    const org = await seedManyServices(github.world, { installationId: INSTALLATION, services: 6, environments: ["prod"], registryHost: registry.host, pushImage: push });
    const releases = [];
    for (const name of org.names) {
      const commit = github.world.commitOn(`acme/${name}`, { "CHANGELOG.md": "- 1.1.0\n- 1.0.0\n" }, { message: "Release 1.1.0" });
      await push(`acme/${name}`, commit);
      const tagObject = github.world.tag(`acme/${name}`, `${name}-v1.1.0`, commit, { annotated: true });
      releases.push({ name, commit, payload: pushPayload(github.world, { repository: `acme/${name}`, ref: `refs/tags/${name}-v1.1.0`, after: tagObject, installationId: INSTALLATION }) });
    }
    const replicas = await startReplicas(entry, { RECONCILE_INTERVAL_SECONDS: "0", LOG_LEVEL: "warn" });
    const [a, b] = replicas as [AppProcess, AppProcess];
    for (const release of releases.slice(0, 3)) expect((await a.deliver("push", release.payload)).status).toBe(200);
    await redis.kill(); // mid-run: some promotions running, some waiting in Redis

    const refused = await b.deliver("push", releases[3]!.payload);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(503);

    await redis.restart();
    // Each replica reconnects by itself (ioredis backs off up to 2 s between attempts); a readiness
    // probe on /healthz puts it back in rotation once it answers 200 again.
    const deadline = Date.now() + 30_000;
    const healthy = async () => (await Promise.all(replicas.map(async (replica) => (await fetch(`${replica.url}/healthz`)).status))).every((status) => status === 200);
    while (!(await healthy()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await healthy()).toBe(true);
    // GitHub's "Redeliver" of the refused delivery, and new ones.
    expect((await b.deliver("push", releases[3]!.payload)).status).toBe(200);
    for (const release of releases.slice(4)) expect((await a.deliver("push", release.payload)).status).toBe(200);

    for (const release of releases) {
      const check = await github.completedCheckRun(`acme/${release.name}`, release.commit, 150_000);
      expect(check, replicas.map((r) => r.logs().join("\n")).join("\n")).toMatchObject({ conclusion: "success" });
      expect(github.world.checkRunsOn(`acme/${release.name}`, release.commit)).toHaveLength(1);
    }
    expect(github.world.pullRequestsOf("acme/infra", "open").map((pr) => pr.head).sort()).toEqual(org.names.map((name) => `release-promoter/prod/${name}`));
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
    github.assertNoProblems();
  });
});
