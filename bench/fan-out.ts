/**
 * Section 4 of the bench: a contracts release fanned out to many consumers. Its own stand-in
 * and app process (the sample org with N npm consumers, each with a lockfile npm made), one
 * signed `contracts-v0.3.2` delivery, then the stand-in's request log tells the cost and the
 * pace of content-creating requests.
 */
import type { ContractsRegistry } from "../demo/sample-registries.js";
import { seedSampleOrg } from "../test/stand-in/sample-org.js";
import { startGitHubStandIn } from "../test/stand-in/server.js";
import { pushPayload } from "../test/stand-in/webhooks.js";
import { startAppProcess } from "./app-process.js";

export interface FanOutResult {
  consumers: number;
  pullRequests: number;
  totalMs: number;
  reads: number;
  writes: number;
  contentCreating: number;
  /** Most content-creating requests in any 60 s window. */
  contentCreatingPeakPerMinute: number;
  /** Content-creating requests over the time between the first and the last. */
  contentCreatingMeanPerMinute: number;
  conclusion: string | null;
}

const ONE_MINUTE = 60_000;

export async function measureFanOut(options: {
  /** The built app's entry point (main.js). */
  entry: string;
  consumers: number;
  appId: number;
  privateKey: string;
  installationId: number;
  npm: ContractsRegistry;
  registryHost: string;
  appEnv: Record<string, string>;
}): Promise<FanOutResult> {
  const github = await startGitHubStandIn({ appId: options.appId, privateKey: options.privateKey });
  github.addInstallation(options.installationId);
  // Consumers lock 0.3.1; then CI publishes 0.3.2, the release the tag names.
  const template = await options.npm.consumerFiles("consumer-template");
  await options.npm.publishRelease();
  const consumers = Array.from({ length: options.consumers }, (_, i) => {
    const name = `consumer-${String(i + 1).padStart(2, "0")}`;
    return { name, files: Object.fromEntries(Object.entries(template).map(([path, text]) => [path, text.replaceAll('"consumer-template"', `"${name}"`)])) };
  });
  const org = seedSampleOrg(github.world, { installationId: options.installationId, registryHost: options.registryHost, npmRegistry: options.npm.url, consumers });
  const app = await startAppProcess({ entry: options.entry, name: "release-promoter (fan-out)", env: { ...options.appEnv, ...github.env } });
  try {
    const commit = org.contractsCommit!;
    const tag = github.world.tag("acme/contracts", "contracts-v0.3.2", commit, { annotated: true });
    const mark = github.requests.length;
    const started = performance.now();
    const delivery = await app.deliver("push", pushPayload(github.world, { repository: "acme/contracts", ref: "refs/tags/contracts-v0.3.2", after: tag, installationId: options.installationId }));
    if (delivery.status !== 200) throw new Error(`the app answered ${delivery.status} to contracts-v0.3.2`);
    const run = await github.completedCheckRun("acme/contracts", commit, 8 * ONE_MINUTE);
    if (run === undefined) throw new Error(`fan-out did not complete within 8 minutes\n${app.logs().slice(-50).join("\n")}`);
    // The check run completes with the last request: the answer to it ends the fan-out.
    const totalMs = github.requests[github.requests.length - 1]!.answeredMs - started;
    github.assertNoProblems();

    const requests = github.requests.slice(mark);
    const creating = requests.filter((request) => request.contentCreating).map((request) => request.receivedMs);
    const counts = github.counts(mark);
    return {
      consumers: options.consumers,
      pullRequests: org.consumers.filter((consumer) => github.world.pullRequestsOf(consumer, "open").length === 1).length,
      totalMs,
      reads: counts.read,
      writes: counts.write,
      contentCreating: counts.contentCreating,
      contentCreatingPeakPerMinute: Math.max(0, ...creating.map((at) => creating.filter((other) => other >= at && other < at + ONE_MINUTE).length)),
      contentCreatingMeanPerMinute: creating.length < 2 ? creating.length : ((creating.length - 1) / (creating[creating.length - 1]! - creating[0]!)) * ONE_MINUTE,
      conclusion: run.conclusion,
    };
  } finally {
    await app.stop();
    await github.stop();
  }
}
