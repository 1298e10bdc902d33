/**
 * Recovery after a restart: a release tagged (image pushed) while no app was running, so no
 * webhook reached one; then the app starts as `npm start` starts it (its own process, sweeps at
 * the default interval, so one at start). Measured: process spawned → accepting deliveries, and
 * process spawned → the answer to the mutation that opened the missed promotion's PR.
 */
import type { ImageRegistry } from "../demo/sample-registries.js";
import { seedSampleOrg } from "../test/stand-in/sample-org.js";
import { startGitHubStandIn } from "../test/stand-in/server.js";
import { startAppProcess } from "./app-process.js";

export interface RecoveryResult {
  /** Spawn → the app answers deliveries. */
  readyMs: number;
  /** Spawn → the missed promotion's PR opened. */
  pullRequestMs: number;
  /** GitHub requests from spawn to that PR (tokens apart): the start-up sweep's and the promotion's. */
  requests: number;
}

const OPENING = new Set(["OpenPromotionPullRequest", "ReuseBranchAndOpenPromotionPullRequest"]);

export async function measureRecovery(options: { entry: string; images: ImageRegistry; privateKey: string; installationId: number; appEnv: Record<string, string> }): Promise<RecoveryResult> {
  const github = await startGitHubStandIn({ appId: 1, privateKey: options.privateKey });
  try {
    github.addInstallation(options.installationId);
    seedSampleOrg(github.world, { installationId: options.installationId, registryHost: options.images.host });
    // Released while the app was down: the commit, its image, the tag; no delivery.
    const commit = github.world.commitOn("acme/core-api", { VERSION: "0.20.0\n" }, { message: "Release 0.20.0" });
    await options.images.pushFor("acme/core-api", commit);
    github.world.tag("acme/core-api", "core-v0.20.0", commit, { annotated: true });

    const opened = github.nextRequest((request) => OPENING.has(request.name ?? "") && request.status === 200);
    const spawned = performance.now();
    // The default interval: a sweep at start, the next one 600 s later.
    const env = { ...options.appEnv, ...github.env };
    delete (env as Record<string, string | undefined>).RECONCILE_INTERVAL_SECONDS;
    const app = await startAppProcess({ entry: options.entry, name: "release-promoter (restarted)", env });
    try {
      const readyMs = performance.now() - spawned;
      const pr = await opened;
      const counts = github.counts();
      return { readyMs, pullRequestMs: pr.answeredMs - spawned, requests: counts.read + counts.write };
    } finally {
      await app.kill();
    }
  } finally {
    await github.stop();
  }
}
