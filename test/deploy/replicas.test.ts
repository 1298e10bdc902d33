/**
 * Two replicas, as an org that runs the app highly available runs it: two `probot run` processes
 * of the compiled app (what `npm start` runs) with one REDIS_URL (a real redis-server) and one
 * GitHub (the stand-in). Deliveries reach both; the work is done once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, startAppProcess } from "../../bench/app-process.js";
import { buildApp } from "../../bench/build-app.js";
import { type OciRegistry, pushImage, startOciRegistry } from "../helpers/oci-registry.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { seedManyServices } from "../stand-in/many-services.js";
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
    github = await startGitHubStandIn({ appId: 1, privateKey });
  });
  afterAll(async () => {
    for (const app of processes) await app.kill().catch(() => undefined);
    await github.stop();
    await redis.stop();
    await registry.stop();
    await rm(storage, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it(`${SERVICES} tag deliveries, each sent to both replicas and some twice: each promotion is made once, with the writes of one replica receiving each once`, { timeout: 240_000 }, async () => {
    const entry = buildApp("replicas-build");
    github.addInstallation(INSTALLATION);
    const push = async (repository: string, commit: string) =>
      (await pushImage(registry.url, repository, { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": `${repository}@${commit}\n` }, reference: commit })).digest;
    const org = await seedManyServices(github.world, { installationId: INSTALLATION, services: SERVICES, environments: ["prod"], registryHost: registry.host, pushImage: push });
    // Each service's next release: a commit on main, its image, a tag (no webhook yet).
    const releases = [];
    for (const name of org.names) {
      const commit = github.world.commitOn(`acme/${name}`, { "CHANGELOG.md": "- 1.1.0\n- 1.0.0\n" }, { message: "Release 1.1.0" });
      const digest = await push(`acme/${name}`, commit);
      const tagObject = github.world.tag(`acme/${name}`, `${name}-v1.1.0`, commit, { annotated: true });
      releases.push({ name, commit, digest, payload: pushPayload(github.world, { repository: `acme/${name}`, ref: `refs/tags/${name}-v1.1.0`, after: tagObject, installationId: INSTALLATION }) });
    }
    const env = {
      ...github.env,
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "replicas-secret",
      REDIS_URL: redis.url,
      RECONCILE_INTERVAL_SECONDS: "0",
      LOG_LEVEL: "warn",
      NO_SMEE_SETUP: "true",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
    };
    const replicas = [await startAppProcess({ entry, env, name: "replica-a" }), await startAppProcess({ entry, env, name: "replica-b" })];
    processes.push(...replicas);

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
});
