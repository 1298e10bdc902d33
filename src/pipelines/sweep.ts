import { infraRepositoryFor } from "../config/infra-repository.js";
import { parseConfig } from "../config/parse-config.js";
import { type KeyVerdict, branchHold, decideKey, headProposedBy, heldVerdict, isEligible, judgeKey } from "../core/plan-sweep.js";
import { isPromoterError } from "../errors.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { type SkippedKey, decideSweepReport, reportSweep } from "../core/sweep-report.js";
import { CHECK_RUN_NAME, SWEEP_CHECK_RUN_NAME, createCheckRun, updateCheckRun } from "../github/report-check-run.js";
import { readKeysState, readSweepInfra, readTagProbes } from "../github/read-sweep-state.js";
import type { JobOf } from "../jobs/job.schema.js";
import semver from "semver";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";
import { hasGates } from "../core/gates.js";

/** Candidate tags probed per service, highest first, when a key is behind. */
const PROBES_PER_SERVICE = 3;

/**
 * Sweeps one installation: reads the desired and actual state of every (environment, service)
 * in two GraphQL requests (three when a key is behind and no PR is about its highest tag yet), and enqueues a promotion of each tag
 * that some key is missing. It writes no promotion itself: the promotion path does, with every rule
 * of a tag push. A key whose state cannot be read is skipped (logged, and listed in the
 * `release-promoter/sweep` check run on infra's head); the others go on.
 */
export async function sweepInstallation(run: Run, job: JobOf<"sweep-installation">): Promise<void> {
  const log = run.log.child({ account: job.account });
  const startedAt = Date.now();
  try {
    const infraName = infraRepositoryFor(run.deps.env, job.account);
    const infra = await readSweepInfra(run.octokit, infraName, SWEEP_CHECK_RUN_NAME);
    if (infra === undefined || infra.configText === undefined) {
      log.info({ infra: `${infraName.owner}/${infraName.name}` }, "sweep: no infra repository or config in this installation");
      return;
    }
    const config = parseConfig(infra.configText, `${infra.nameWithOwner}:.github/release-promoter.yml`);
    const services = Object.entries(config.services);
    const { keys, files, state } = await readKeysState(run.octokit, infraName, infra, config);
    const serviceIndex = new Map(services.map(([name], i) => [name, i]));
    const verdicts: KeyVerdict[] = keys.map((key, k) => {
      // A merged rollback holds the key (core/hold.ts): the versions it keeps out are no candidates.
      const serviceState = state.services[serviceIndex.get(key.service)!];
      const judged = judgeKey({ config, key, tags: serviceState?.tags, fileText: state.files[files.indexOf(key.file)], head: serviceState?.head });
      const verdict = heldVerdict(judged, branchHold(state.pullRequests[k]!));
      if (verdict.kind !== "behind") return verdict;
      // Waiting for review is the common state: a PR already about the highest candidate settles the key without a probe.
      const decision = decideKey(verdict.candidates[0]!, state.pullRequests[k]!);
      return decision.kind === "converged" ? decision : verdict;
    });

    // Probe the highest candidates of each service that is behind somewhere: reachability and our last check run.
    const probes = services.flatMap(([name, service]) => {
      const behind = verdicts.flatMap((verdict, k) => (keys[k]!.service === name && verdict.kind === "behind" ? verdict.candidates : []));
      const unique = [...new Map(behind.map((release) => [release.tag, release])).values()];
      return unique
        .sort((a, b) => semver.rcompare(a.version, b.version))
        .slice(0, PROBES_PER_SERVICE)
        .map((release) => ({ service: name, release, repository: splitRepository(service.repository) }));
    });
    const probed = await readTagProbes(run.octokit, probes.map((probe) => ({ repository: probe.repository, tag: probe.release.tag })), CHECK_RUN_NAME);

    const wanted = new Map<string, { repository: string; tag: string }>();
    const mains = new Set<string>();
    const skipped: SkippedKey[] = [];
    let converged = 0;
    keys.forEach((key, k) => {
      const verdict = verdicts[k]!;
      const klog = log.child({ environment: key.environment, service: key.service });
      if (verdict.kind === "skipped") {
        skipped.push({ environment: key.environment, service: key.service, reason: verdict.reason });
        return klog.warn({ reason: verdict.reason }, "sweep: key skipped");
      }
      if (verdict.kind === "converged") {
        converged++;
        return klog.debug({ reason: verdict.reason }, "sweep: key converged");
      }
      if (verdict.kind === "main-behind") {
        const open = headProposedBy(verdict.head, state.pullRequests[k]!);
        if (open !== undefined) {
          converged++;
          return klog.debug({ pr: open.number }, "sweep: key converged (its PR proposes the head of main)");
        }
        mains.add(state.services[serviceIndex.get(key.service)!]!.nameWithOwner);
        return klog.info({ reason: verdict.reason }, "sweep: key behind main, promotion of main queued");
      }
      const eligible = verdict.candidates.find((release) => {
        const index = probes.findIndex((probe) => probe.service === key.service && probe.release.tag === release.tag);
        if (index === -1) return false;
        const result = isEligible(release.tag, probed[index]!);
        if (!result.eligible) klog.info({ tag: release.tag, reason: result.reason }, "sweep: candidate passed over");
        return result.eligible;
      });
      if (eligible === undefined) {
        converged++;
        return klog.info({ current: verdict.current }, "sweep: no promotable tag above what runs");
      }
      const decision = decideKey(eligible, state.pullRequests[k]!);
      if (decision.kind === "converged") {
        converged++;
        return klog.info({ tag: eligible.tag, reason: decision.reason }, "sweep: key converged");
      }
      const repository = config.services[key.service]!.repository;
      wanted.set(`${repository.toLowerCase()}:${decision.tag}`, { repository: state.services[serviceIndex.get(key.service)!]!.nameWithOwner, tag: decision.tag });
      klog.info({ tag: decision.tag, current: verdict.current }, "sweep: key behind, promotion queued");
    });
    for (const { repository, tag } of wanted.values()) {
      await run.queue.enqueue({ kind: "promote-tag", installationId: job.installationId, repository, tag, trigger: "sweep" });
    }
    for (const repository of mains) await run.queue.enqueue({ kind: "promote-main", installationId: job.installationId, repository, trigger: "sweep" });
    // Waiting gates are re-evaluated (a restart loses the in-memory timers; a merge in the required environment may have let one pass).
    const gated = keys.flatMap((key, k) => {
      const environment = config.environments[key.environment]!;
      if (!hasGates(environment)) return [];
      return state.pullRequests[k]!.filter((pr) => pr.state === "OPEN" && pr.record.kind === "record").map((pr) => pr.number);
    });
    for (const number of gated) await run.queue.enqueue({ kind: "check-gates", installationId: job.installationId, infra: infra.nameWithOwner, number });
    log.info({ keys: keys.length, converged, skipped: skipped.length, promotions: wanted.size, mains: mains.size, gates: gated.length }, "sweep finished");
    run.deps.metrics?.sweepDuration.observe((Date.now() - startedAt) / 1000);
    const write = decideSweepReport(reportSweep(skipped, keys.length), infra.reported);
    const infraRepository = splitRepository(infra.nameWithOwner);
    if (write.kind === "create") await createCheckRun(run.octokit, infraRepository, infra.headOid, "sweep", { status: "completed", ...write.text }, SWEEP_CHECK_RUN_NAME);
    if (write.kind === "update") await updateCheckRun(run.octokit, infraRepository, write.id, { status: "completed", ...write.text });
    if (write.kind !== "none") log.info({ conclusion: write.text.conclusion, sha: infra.headOid }, "sweep check run written");
  } catch (error) {
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, "sweeping the installation"), "sweep failed");
  }
}
