import { CONFIG_PATH, parseConfig } from "../config/parse-config.js";
import type { CheckReportText } from "../core/check-report.js";
import { isPromoterError } from "../errors.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { readConfigAt } from "../github/read-config-at.js";
import { CONFIG_CHECK_RUN_NAME, createCheckRun } from "../github/report-check-run.js";
import type { JobOf } from "../jobs/job.schema.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

/** What the config check run says about a config text (pure). */
export function reportConfig(text: string | undefined): CheckReportText {
  if (text === undefined) {
    return {
      conclusion: "failure",
      title: `${CONFIG_PATH} is missing`,
      summary: `This commit has no ${CONFIG_PATH}: on the default branch, release-promoter would refuse every promotion (\`config_missing\`).`,
    };
  }
  try {
    const config = parseConfig(text, CONFIG_PATH);
    const services = Object.keys(config.services).length;
    const environments = Object.keys(config.environments).length;
    return {
      conclusion: "success",
      title: `${CONFIG_PATH} is valid`,
      summary: `${services} service${services === 1 ? "" : "s"}, ${environments} environment${environments === 1 ? "" : "s"}${config.contracts ? `, contracts ${config.contracts.package}` : ""}.`,
    };
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    return { conclusion: "failure", title: `${CONFIG_PATH} is invalid (${error.code})`, summary: error.message };
  }
}

/**
 * A push to the infra repository that may have changed the config → the `release-promoter/config`
 * check run on its head commit: success, or failure listing every problem with its path, so a
 * broken config is caught in its PR. A redelivery writes nothing when the check run already says it.
 */
export async function checkConfig(run: Run, job: JobOf<"check-config">): Promise<void> {
  const log = run.log.child({ repository: job.repository, sha: job.sha });
  const repository = splitRepository(job.repository);
  try {
    const state = await readConfigAt(run.octokit, repository, job.sha);
    const text = reportConfig(state.text);
    const r = state.reported;
    if (job.rerequested !== true && r !== undefined && r.conclusion === text.conclusion && r.title === text.title && r.summary === text.summary) {
      log.debug("config check run already reports this");
      return;
    }
    await createCheckRun(run.octokit, repository, job.sha, "config", { status: "completed", ...text }, CONFIG_CHECK_RUN_NAME);
    log.info({ conclusion: text.conclusion }, "config checked");
  } catch (error) {
    logFailure(log, isPromoterError(error) ? error : mapGitHubError(error, "checking the config"), "config not checked");
  }
}
