import { parseConfig } from "../config/parse-config.js";
import { CONFIG_PATH } from "../config/parse-config.js";
import { hasGates } from "../core/gates.js";
import { readPromotionRecord } from "../core/promotion-record.js";
import { isPromoterError } from "../errors.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { PROMOTION_BRANCH_PREFIX } from "../github/read-open-promotions.js";
import type { JobOf } from "../jobs/job.schema.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";
import { pinnedDigest, writeGates, writeGatesRefusal } from "./write-gates.js";
import { readBlobs } from "../github/read-blobs.js";
import { branchName } from "../core/pull-request-text.js";
import type { Config } from "../config/config.schema.js";

/** The PR, its head, infra's head and the config there: one GraphQL read. */
export const READ_GATED_PULL_REQUEST = /* GraphQL */ `
  query ReadGatedPullRequest($owner: String!, $name: String!, $number: Int!, $configExpression: String!) {
    repository(owner: $owner, name: $name) {
      defaultBranchRef {
        name
        target {
          oid
        }
      }
      config: object(expression: $configExpression) {
        ... on Blob {
          text
        }
      }
      pullRequest(number: $number) {
        state
        url
        body
        headRefName
        headRefOid
        isCrossRepository
      }
    }
  }
`;

interface Response {
  repository: {
    defaultBranchRef: { name: string; target: { oid: string } } | null;
    config: { text?: string | null } | null;
    pullRequest: { state: string; url: string; body: string; headRefName: string; headRefOid: string | null; isCrossRepository: boolean } | null;
  } | null;
}

/**
 * The gates of one promotion PR, re-evaluated: queued for the time a gate changes (a soak ends, a
 * window opens or closes) and by the sweep for every open gated PR. A PR that is no longer open,
 * not the app's, or whose environment lost its gates is left alone.
 */
export async function checkGates(run: Run, job: JobOf<"check-gates">): Promise<void> {
  const log = run.log.child({ infra: job.infra, pr: job.number });
  const infra = splitRepository(job.infra);
  try {
    let data: Response;
    try {
      data = await run.octokit.graphql<Response>(READ_GATED_PULL_REQUEST, { owner: infra.owner, name: infra.name, number: job.number, configExpression: `HEAD:${CONFIG_PATH}` });
    } catch (error) {
      throw mapGitHubError(error, `reading PR #${job.number} of ${job.infra}`);
    }
    const repository = data.repository;
    const pr = repository?.pullRequest;
    if (repository === null || repository.defaultBranchRef === null || pr === null || pr === undefined) return void log.info("gates: the PR or infra is gone");
    if (pr.state !== "OPEN" || pr.isCrossRepository || !pr.headRefName.startsWith(PROMOTION_BRANCH_PREFIX) || pr.headRefOid === null) {
      return void log.debug({ state: pr.state }, "gates: not an open promotion PR; nothing to check");
    }
    const head = pr.headRefOid;
    // From here on the PR is an open promotion PR: whatever stops the evaluation is a failed gates check on its head, never a stale success left standing.
    const refuse = async (why: string) => {
      log.warn({ reason: why }, "gates: refused");
      await writeGatesRefusal(run, infra, head, why);
    };
    const read = readPromotionRecord(pr.body);
    if (read.kind !== "record") return refuse(`the promotion record of this PR cannot be read (${read.kind === "unreadable" ? read.reason : "none"}); the app cannot tell which digest its gates are for`);
    const { record } = read;
    if (pr.headRefName !== branchName(record.environment, record.service)) return refuse(`the PR's record names ${record.environment}/${record.service}, not its branch ${pr.headRefName}`);
    if (repository.config?.text === undefined || repository.config.text === null) return refuse(`there is no ${CONFIG_PATH} on infra's default branch`);
    let config: Config;
    try {
      config = parseConfig(repository.config.text, `${job.infra}:${CONFIG_PATH}`);
    } catch (error) {
      if (!isPromoterError(error)) throw error;
      return refuse(`the config on infra's default branch is invalid (${error.code}); see its release-promoter/config check`);
    }
    const environment = config.environments[record.environment];
    if (environment === undefined || config.services[record.service] === undefined) return refuse(`the config no longer has environment ${record.environment} with service ${record.service}`);
    if (!hasGates(environment)) return void log.info({ environment: record.environment }, "gates: the environment has no gates now");
    // The digest is the one the PR's head pins, which must be what its record promotes: a commit a person pushed to the branch gets no gates of the record's digest.
    const [headText] = await readBlobs(run.octokit, infra, [`${head}:${environment.file}`]);
    const headDigest = pinnedDigest(config, record.environment, record.service, headText);
    if (headDigest !== record.digest) return refuse(`the PR's head pins ${headDigest ?? "no readable digest"} in ${environment.file}, not ${record.digest}, which its record promotes`);
    await writeGates(run, {
      infra,
      defaultBranch: repository.defaultBranchRef.name,
      baseOid: repository.defaultBranchRef.target.oid,
      config,
      environmentName: record.environment,
      serviceName: record.service,
      digest: record.digest,
      pullRequest: { number: job.number, url: pr.url, headSha: head },
    });
  } catch (error) {
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, `checking the gates of ${job.infra}#${job.number}`), "gates not checked");
  }
}
