/**
 * A `/release-promoter …` comment on an issue or PR of the infra repository
 * (core/comment-command.ts has the grammar). In order, each refusal answered on the issue and
 * nothing changed: the command must parse; its author must have write permission on infra
 * (GitHub's answer, never a name list); the config at infra's head must name the service and the
 * environment. Then:
 *
 * - `promote <service> <version> to <env>`: the tag `<prefix>-v<version>` is promoted to that one
 *   environment by the usual pipeline (a `promote-tag` job with `command`): every rule applies
 *   (ownership, reachability from the default branch, provenance, one-line edit), but a version
 *   below what runs is planned as a rollback instead of refused, and the hold of an earlier
 *   rollback does not apply. The promote-tag run answers with the PR or the refusal.
 * - `release <service> in <env>`: the hold a merged rollback puts on the environment
 *   (core/hold.ts) is lifted by writing `released: { by }` into that PR's record and a line into
 *   its body; then the installation is swept, so the highest release is proposed again.
 */
import { parseConfig } from "../config/parse-config.js";
import { checkCommand, parseCommentCommand, USAGE } from "../core/comment-command.js";
import { activeHold } from "../core/hold.js";
import { branchName } from "../core/pull-request-text.js";
import { readPromotionRecord, replacePromotionRecord } from "../core/promotion-record.js";
import { isPromoterError, PromoterError } from "../errors.js";
import { commentOnIssue, permissionOf } from "../github/issue-comments.js";
import { mapGitHubError } from "../github/map-github-error.js";
import { splitRepository } from "../github/octokit.js";
import { readPromotionTargets } from "../github/read-promotion-targets.js";
import { readSweepInfra } from "../github/read-sweep-state.js";
import { SWEEP_CHECK_RUN_NAME } from "../github/report-check-run.js";
import type { JobOf } from "../jobs/job.schema.js";
import { logFailure } from "./log-failure.js";
import type { Run } from "./run.js";

const WRITERS = new Set(["admin", "write"]);

export async function commentCommand(run: Run, job: JobOf<"comment-command">): Promise<void> {
  const infra = splitRepository(job.infra);
  const log = run.log.child({ infra: job.infra, issue: job.issue, comment: job.commentId, author: job.author });
  const answer = (text: string) => commentOnIssue(run.octokit, infra, job.issue, `@${job.author} ${text}`);
  try {
    const parsed = parseCommentCommand(job.body);
    if (parsed.kind === "none") return;
    // Permission first: someone without write access hears only that, never their words quoted back.
    const permission = await permissionOf(run.octokit, infra, job.author);
    if (!WRITERS.has(permission)) {
      log.info({ permission }, "comment command refused: no write permission");
      await answer(`release-promoter commands need write permission on ${job.infra}, and GitHub says you have \`${permission}\`; nothing was changed.`);
      return;
    }
    if (parsed.kind === "malformed") {
      log.info({ reason: parsed.reason }, "comment command malformed");
      await answer(`this command was not run: ${parsed.reason}.\n\nThe commands are:\n${USAGE}`);
      return;
    }
    const { command } = parsed;
    const state = await readSweepInfra(run.octokit, infra, SWEEP_CHECK_RUN_NAME);
    if (state?.configText === undefined) {
      await answer(`${job.infra} has no .github/release-promoter.yml on its default branch; nothing was changed.`);
      return;
    }
    const config = parseConfig(state.configText, `${state.nameWithOwner}:.github/release-promoter.yml`);
    const checked = checkCommand(command, config);
    if ("problem" in checked) {
      await answer(`this command was not run: ${checked.problem}; nothing was changed.`);
      return;
    }
    const service = config.services[command.service]!;
    if (command.kind === "promote") {
      log.info({ tag: checked.tag, environment: command.environment }, "comment command: promotion queued");
      await run.queue.enqueue({
        kind: "promote-tag",
        installationId: job.installationId,
        repository: service.repository,
        tag: checked.tag!,
        trigger: "comment",
        command: { environment: command.environment, by: job.author, issue: job.issue },
      });
      return;
    }
    // release: lift the hold, where it is recorded.
    const environment = config.environments[command.environment]!;
    const [target] = await readPromotionTargets(run.octokit, {
      infra,
      defaultBranch: state.defaultBranch,
      baseOid: state.headOid,
      targets: [{ file: environment.file, branch: branchName(command.environment, command.service) }],
    });
    const hold = activeHold(target?.closedPullRequests ?? []);
    if (hold === undefined) {
      await answer(`${command.environment} does not hold ${command.service} (its newest merged promotion is not a rollback, or it was released); nothing to release.`);
      return;
    }
    await releaseHold(run, infra, hold.number, job);
    log.info({ pr: hold.number }, "hold released by comment");
    await answer(`the hold of [PR #${hold.number}](${hold.url}) on ${command.service} in ${command.environment} is lifted; the app proposes the highest release again now (and on every sweep).`);
    await run.queue.enqueue({ kind: "sweep-installation", installationId: job.installationId, account: infra.owner });
  } catch (error) {
    const failure = isPromoterError(error) ? error : mapGitHubError(error, "running the comment command");
    logFailure(log, failure, "comment command failed");
    await answer(`this command failed (\`${failure.code}\`): ${failure.message}`).catch((answerError: unknown) =>
      logFailure(log, mapGitHubError(answerError, "answering the command"), "could not answer the command"),
    );
  }
}

/** Writes `released: { by }` into the rollback PR's record and says so in its body (the PR stays merged). */
async function releaseHold(run: Run, infra: { owner: string; name: string }, number: number, job: JobOf<"comment-command">): Promise<void> {
  let body: string;
  try {
    const response = await run.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: infra.owner, repo: infra.name, pull_number: number });
    body = String((response.data as { body?: string | null }).body ?? "");
  } catch (error) {
    throw mapGitHubError(error, `reading PR #${number}`);
  }
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(job.author)) {
    throw new PromoterError("pull_request_unreadable", `@${job.author} cannot be recorded in PR #${number}'s promotion record (GitHub logins of letters, digits and dashes only); ask someone else with write permission to release the hold.`);
  }
  const read = readPromotionRecord(body);
  if (read.kind !== "record" || read.record.rollback === undefined) {
    throw new PromoterError("pull_request_unreadable", `PR #${number}'s promotion record cannot be read, so its hold cannot be lifted safely; edit nothing and ask an admin to check the PR body.`);
  }
  const record = { ...read.record, rollback: { ...read.record.rollback, released: { by: job.author } } };
  const next = replacePromotionRecord(body, record, `**Hold released** by @${job.author} in #${job.issue}: the app proposes newer releases again.`);
  try {
    await run.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner: infra.owner, repo: infra.name, pull_number: number, body: next });
  } catch (error) {
    throw mapGitHubError(error, `updating PR #${number}`);
  }
}
