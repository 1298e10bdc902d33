import type { Context } from "probot";
import { isInfraRepository } from "../config/infra-repository.js";
import { parseCommentCommand } from "../core/comment-command.js";
import type { PromoterDependencies } from "../dependencies.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { Job } from "../jobs/job.schema.js";

type Payload = Context<"issue_comment.created">["payload"];

/**
 * A new comment on an issue or PR of the infra repository that starts with `/release-promoter`
 * → a `comment-command` job (pipelines/comment-command.ts checks the author's permission and
 * answers). Comments elsewhere, by bots (the app's own answers included), and comments that are
 * not a command cost no request.
 */
export function jobsForIssueComment(deps: PromoterDependencies, payload: Payload): Job[] {
  const installationId = payload.installation?.id;
  const { comment, issue, repository } = payload;
  if (installationId === undefined || comment.user === null || comment.user.type === "Bot") return [];
  if (!isInfraRepository(deps.env, repository.full_name)) return [];
  if (parseCommentCommand(comment.body).kind === "none") return [];
  return [{ kind: "comment-command", installationId, infra: repository.full_name, issue: issue.number, commentId: comment.id, author: comment.user.login, body: comment.body }];
}

export function onIssueComment(deps: PromoterDependencies, queue: JobQueue) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    for (const job of jobsForIssueComment(deps, context.payload)) await queue.enqueue(job);
  };
}
