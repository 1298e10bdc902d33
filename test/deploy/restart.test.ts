/**
 * A promotion waiting for its image survives the process being killed: the app runs as
 * `npm start` runs it (`node dist/main.js` on the compiled app, in its own process), is SIGKILLed while
 * it waits, CI pushes the image, and the next process's start-up sweep opens the PR and completes
 * the check run the first process left "in progress". Nothing is kept between the two processes
 * but what is on GitHub (the stand-in) and in the registry.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, startAppProcess } from "../../bench/app-process.js";
import { buildApp } from "../../bench/build-app.js";
import { type OciRegistry, pushImage, startOciRegistry } from "../helpers/oci-registry.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { seedSampleOrg } from "../stand-in/sample-org.js";
import { type GitHubStandIn, startGitHubStandIn } from "../stand-in/server.js";
import { pushPayload } from "../stand-in/webhooks.js";

const INSTALLATION = 3;
const privateKey = throwawayPrivateKey();

describe("restart: SIGKILL while a promotion waits for its image", () => {
  let registry: OciRegistry;
  let storage: string;
  let github: GitHubStandIn;
  let home: string;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), "release-promoter-restart-registry-"));
    home = await mkdtemp(join(tmpdir(), "release-promoter-restart-home-"));
    registry = await startOciRegistry({ storageDir: storage });
    github = await startGitHubStandIn({ appId: 1, privateKey });
  });
  afterAll(async () => {
    for (const app of processes) await app.kill().catch(() => undefined);
    await github.stop();
    await registry.stop();
    await rm(storage, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it("the next process's first sweep opens the PR and completes the check run", { timeout: 120_000 }, async () => {
    const entry = buildApp("restart-build");
    github.addInstallation(INSTALLATION);
    const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
    github.world.commitOn("acme/infra", { ".github/release-promoter.yml": org.configText.replace("imageWaitSeconds: 0", "imageWaitSeconds: 600") }, { message: "Wait for images" });
    const env = { ...github.env, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "restart-secret", LOG_LEVEL: "info", NO_SMEE_SETUP: "true", PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home };

    const first = await startAppProcess({ entry, env, name: "first" });
    processes.push(first);
    const tagObject = github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
    const waiting = github.nextRequest((request) => request.method === "POST" && request.name === "/repos/{owner}/{repo}/check-runs");
    const delivery = await first.deliver("push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: tagObject, installationId: INSTALLATION }));
    expect(delivery.status).toBe(200);
    await waiting;
    await first.kill(); // SIGKILL: no drain, no goodbye
    expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toEqual([expect.objectContaining({ status: "in_progress" })]);

    const digest = (await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.0\n" }, reference: org.coreCommit })).digest;
    const second = await startAppProcess({ entry, env, name: "second" });
    processes.push(second);
    const completed = await github.completedCheckRun("acme/core-api", org.coreCommit, 60_000);
    expect(completed, second.logs().join("\n")).toMatchObject({ conclusion: "success" });
    expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toHaveLength(1);
    const [pr, ...others] = github.world.pullRequestsOf("acme/infra", "open");
    expect(others).toHaveLength(0);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)).toContain(`core_image = "${registry.host}/acme/core-api@${digest}" # core-v0.10.0`);
    await second.stop();
    github.assertNoProblems();
  });
});
