import type { Config } from "../config/config.schema.js";
import { type RetryDecision, decideRetry } from "../core/retry-policy.js";
import type { PromoterError } from "../errors.js";
import type { JobOf } from "../jobs/job.schema.js";
import { RunLater } from "../jobs/run-later.js";
import { registryConfigFor } from "../registry/registry-config-for.js";
import { resolveDigest } from "../registry/resolve-digest.js";
import type { Reporter } from "./check-reporter.js";
import type { Run } from "./run.js";

/** The jobs that promote an image: a tag, or a push to main. Both carry a wait and retries forward. */
export type PromotionJob = JobOf<"promote-tag"> | JobOf<"promote-main">;

/** Whether this job retries `failure` later (only a durable queue runs a job again later) or reports it now. */
export function retryOf(run: Run, job: PromotionJob, failure: PromoterError): RetryDecision {
  return run.queue.durable ? decideRetry(failure, job.retries ?? 0) : { kind: "report" };
}

/**
 * The digest of `image:reference`, waiting for CI to push it for up to imageWaitSeconds: the
 * check run shows the wait from its first attempt; with a durable queue each wait is a delayed
 * job (RunLater), not a sleep, so a restart or a dead replica does not lose it, and a wait an
 * earlier run of this job began goes on where it stopped. `waited`: whether this run waited.
 */
export async function waitForImage(
  run: Run,
  args: { job: PromotionJob; reporter: Reporter; log: Run["log"]; config: Config; image: string; reference: string },
): Promise<{ digest: string; waited: boolean }> {
  const { job, reporter, config, image, reference } = args;
  const { deps } = run;
  let waited = false;
  const waitStartedAt = job.imageWait?.since ?? Date.now();
  const resolved = await resolveDigest({
    image,
    reference,
    auth: registryConfigFor(config.registries, image),
    env: deps.env,
    wait: {
      timeoutMs: config.imageWaitSeconds * 1000,
      ...deps.registryWait,
      resume: job.imageWait === undefined ? undefined : { startedAt: job.imageWait.since, attempts: job.imageWait.attempts },
    },
    fetch: deps.fetch,
    sleep: deps.sleep,
    onWait: async ({ attempt, delayMs, error }) => {
      waited = true;
      args.log.info({ attempt, delayMs, code: error.code }, "waiting for image");
      if (attempt === 1) {
        await reporter.progress(`Waiting for ${image}:${reference}`, `${error.message}\n\nThe app keeps trying for up to ${config.imageWaitSeconds} s (imageWaitSeconds) and then fails.`);
      }
      if (run.queue.durable) {
        throw new RunLater({ ...job, imageWait: { since: waitStartedAt, attempts: attempt }, checkRunId: reporter.id }, delayMs, `waiting for ${image}:${reference}`);
      }
    },
  });
  if (waited || job.imageWait !== undefined) {
    const waitedMs = Date.now() - waitStartedAt;
    args.log.child({ digest: resolved.digest }).info({ waitedMs }, "image found");
    deps.metrics?.registryWait.observe(waitedMs / 1000);
  }
  return { digest: resolved.digest, waited };
}
