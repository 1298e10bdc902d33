import type { Config } from "../config/config.schema.js";
import { evaluateGates, type GateVerdict, type RequiredEnvironmentState } from "../core/gates.js";
import { branchName } from "../core/pull-request-text.js";
import { mapGitHubError } from "../github/map-github-error.js";
import type { RepositoryName } from "../github/octokit.js";
import { readPromotionRecord } from "../core/promotion-record.js";
import { GATES_CHECK_RUN_NAME, createCheckRun, updateCheckRun } from "../github/report-check-run.js";
import { readPin } from "../editors/editors.js";
import { targetOf } from "../editors/target-editor.js";
import { PromoterError, isPromoterError } from "../errors.js";
import { tagPrefixOf } from "../core/select-promotion.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

/** A promotion PR whose environment has gates. */
export interface GatedPullRequest {
  number: number;
  url: string;
  /** The PR's head commit: the gates check is written there, as branch protection reads it. */
  headSha: string;
}

/**
 * Evaluates the environment's gates for the PR's digest and writes the `release-promoter/gates`
 * check on its head commit: in progress while a gate waits, success when all pass, failure when
 * one cannot pass. Nothing is written when the latest gates check there already says the same.
 * A gate that changes at a known time queues a `check-gates` job for that time. One read of the
 * required environment (its file and promotion branch), one of the existing check, one write.
 */
export async function writeGates(
  run: Run,
  args: {
    infra: RepositoryName;
    defaultBranch: string;
    baseOid: string;
    config: Config;
    environmentName: string;
    serviceName: string;
    digest: string;
    pullRequest: GatedPullRequest;
  },
): Promise<GateVerdict> {
  const { config, environmentName, serviceName } = args;
  const environment = config.environments[environmentName]!;
  const log = run.log.child({ environment: environmentName, service: serviceName, pr: args.pullRequest.number });
  let required: RequiredEnvironmentState | undefined;
  const requires = environment.requires;
  if (requires !== undefined) required = await readRequiredEnvironment(run, args.infra, args.defaultBranch, args.baseOid, config, requires.environment, serviceName);
  const now = new Date(run.deps.now?.() ?? Date.now());
  const verdict = evaluateGates({ environment, digest: args.digest, now, required });
  await writeGatesCheck(run, args.infra, args.pullRequest.headSha, verdict);
  log.info({ gates: verdict.state, reason: verdict.title, recheckAt: verdict.recheckAt?.toISOString() }, "gates evaluated");
  if (verdict.recheckAt !== undefined) {
    // A second past the instant, so the re-check sees the soak ended or the window changed.
    const delayMs = verdict.recheckAt.getTime() - now.getTime() + 1_000;
    await run.queue.enqueueLater({ kind: "check-gates", installationId: run.installationId, infra: `${args.infra.owner}/${args.infra.name}`, number: args.pullRequest.number }, delayMs);
  }
  return verdict;
}

/**
 * writeGates after a promotion PR was written: what the source's check run should say it waits
 * for (undefined: every gate passed). A failure to write the gates check does not undo the PR: it
 * is logged and said, and the check-gates job or the sweep writes it later.
 */
export async function gatesAfterPromotion(run: Run, args: Parameters<typeof writeGates>[1]): Promise<string | undefined> {
  try {
    const verdict = await writeGates(run, args);
    return verdict.state === "pass" ? undefined : `the gates check ${verdict.state === "wait" ? "waits" : "failed"}: ${verdict.title}`;
  } catch (error) {
    const failure = isPromoterError(error) ? error : mapGitHubError(error, `writing the gates check of PR #${args.pullRequest.number}`);
    logFailure(run.log.child({ pr: args.pullRequest.number }), failure, "gates check not written");
    return `the gates check could not be written yet (${failure.code}); the next sweep writes it.`;
  }
}

export const READ_REQUIRED_ENVIRONMENT = /* GraphQL */ `
  query ReadRequiredEnvironment($owner: String!, $name: String!, $fileAtBase: String!, $file: String!, $branch: String!, $defaultBranch: String!) {
    repository(owner: $owner, name: $name) {
      file: object(expression: $fileAtBase) {
        ... on Blob {
          text
        }
      }
      open: pullRequests(headRefName: $branch, baseRefName: $defaultBranch, states: [OPEN], first: 5) {
        nodes {
          number
          url
          body
          isCrossRepository
        }
      }
      merged: pullRequests(headRefName: $branch, baseRefName: $defaultBranch, states: [MERGED], first: 5, orderBy: { field: UPDATED_AT, direction: DESC }) {
        nodes {
          number
          url
          mergedAt
          mergeCommit {
            file(path: $file) {
              object {
                ... on Blob {
                  text
                }
              }
            }
          }
        }
      }
    }
  }
`;

interface RequiredResponse {
  repository: {
    file: { text?: string | null } | null;
    open: { nodes: Array<{ number: number; url: string; body: string; isCrossRepository: boolean } | null> | null };
    merged: { nodes: Array<{ number: number; url: string; mergedAt: string | null; mergeCommit: { file: { object: { text?: string | null } | null } | null } | null } | null> | null };
  } | null;
}

/**
 * The required environment as the soak gate reads it, in one GraphQL request: its file at infra's
 * head, its promotion branch's open PR, and its latest merged PRs with the file in each merge
 * commit (what the merge really left there, whatever the PR body says).
 */
async function readRequiredEnvironment(
  run: Run,
  infra: RepositoryName,
  defaultBranch: string,
  baseOid: string,
  config: Config,
  environmentName: string,
  serviceName: string,
): Promise<RequiredEnvironmentState> {
  const file = config.environments[environmentName]!.file;
  let data: RequiredResponse;
  try {
    data = await run.octokit.graphql<RequiredResponse>(READ_REQUIRED_ENVIRONMENT, {
      owner: infra.owner,
      name: infra.name,
      fileAtBase: `${baseOid}:${file}`,
      file,
      branch: branchName(environmentName, serviceName),
      defaultBranch,
    });
  } catch (error) {
    throw mapGitHubError(error, `reading ${environmentName} of ${infra.owner}/${infra.name}`);
  }
  if (data.repository === null) throw new PromoterError("github_forbidden", `${infra.owner}/${infra.name} is not visible to the app.`);
  const repository = data.repository;
  // A PR from a fork named like the promotion branch is not the app's proposal; a merge is a merge, whoever opened it.
  const open = (repository.open.nodes ?? []).find((node) => node !== null && !node.isCrossRepository) ?? undefined;
  return {
    environmentName,
    merges: (repository.merged.nodes ?? []).flatMap((node) =>
      node === null
        ? []
        : [{ number: node.number, url: node.url, mergedAt: node.mergedAt ?? undefined, digestAtMerge: pinnedDigest(config, environmentName, serviceName, node.mergeCommit?.file?.object?.text ?? undefined) }],
    ),
    openPullRequest: open === undefined || open === null ? undefined : { number: open.number, url: open.url, record: readPromotionRecord(open.body) },
    runningDigest: pinnedDigest(config, environmentName, serviceName, repository.file?.text ?? undefined),
  };
}

/** The digest an environment's file pins for the service (a digest, or a reference with one); undefined when unreadable or none. */
export function pinnedDigest(config: Config, environmentName: string, serviceName: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const service = config.services[serviceName]!;
  try {
    const pinned = readPin(text, targetOf(serviceName, service, config.environments[environmentName]!.kind), { file: config.environments[environmentName]!.file, markerPrefix: tagPrefixOf(serviceName, service) });
    return /(sha256:[0-9a-f]{64})$/.exec(pinned.value)?.[1];
  } catch (error) {
    if (isPromoterError(error)) return undefined;
    throw error;
  }
}

/** A gates check that cannot pass because its own inputs cannot be trusted (fail closed), written on the PR's head. */
export async function writeGatesRefusal(run: Run, infra: RepositoryName, headSha: string, why: string): Promise<void> {
  await writeGatesCheck(run, infra, headSha, { state: "fail", title: why.replace(/\[PR #(\d+)\]\([^)]*\)/g, "PR #$1"), summary: `- failed: ${why}`, recheckAt: undefined });
}

async function writeGatesCheck(run: Run, infra: RepositoryName, headSha: string, verdict: GateVerdict): Promise<void> {
  const report =
    verdict.state === "wait"
      ? { status: "in_progress" as const, title: verdict.title, summary: verdict.summary }
      : { status: "completed" as const, conclusion: verdict.state === "pass" ? ("success" as const) : ("failure" as const), title: verdict.title, summary: verdict.summary };
  let latest: { id: number; status: string; conclusion: string | null; title: string | null } | undefined;
  try {
    const { data } = await run.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      owner: infra.owner,
      repo: infra.name,
      ref: headSha,
      check_name: GATES_CHECK_RUN_NAME,
      filter: "latest",
      // Only the app's own: a workflow job or another app could name a check run the same.
      ...(/^\d+$/.test(run.deps.env.APP_ID ?? "") ? { app_id: Number(run.deps.env.APP_ID) } : {}),
    });
    const [first] = data.check_runs;
    latest = first === undefined ? undefined : { id: Number(first.id), status: first.status, conclusion: first.conclusion, title: first.output.title };
  } catch (error) {
    throw mapGitHubError(error, `reading the gates check of ${infra.owner}/${infra.name}@${headSha.slice(0, 12)}`);
  }
  const same = latest !== undefined && latest.title === report.title && latest.status === report.status && (report.status === "in_progress" || latest.conclusion === report.conclusion);
  if (same) return;
  // A check still in progress is moved on; a completed one is followed by a new one (branch protection reads the latest).
  if (latest !== undefined && latest.status !== "completed") await updateCheckRun(run.octokit, infra, latest.id, report);
  else await createCheckRun(run.octokit, infra, headSha, "gates", report, GATES_CHECK_RUN_NAME);
}
