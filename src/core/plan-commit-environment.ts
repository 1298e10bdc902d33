/**
 * Plans one `on: main` environment's change for the head of a service's default branch: pure, no
 * I/O, like planEnvironment for tags. The pin is marked with the commit (`# core@0123456789ab`,
 * core/parse-tag.ts). Monotonic: the pipeline first asks GitHub how the head relates to what the
 * file runs (readRunningMarker → compare) and passes the answer in; a head that does not descend
 * from it (a force-pushed main, an older commit) is refused, never promoted.
 */
import type { EnvironmentConfig, ServiceConfig } from "../config/config.schema.js";
import { editPin, readPin } from "../editors/editors.js";
import { describeTarget, type PinnedValue, targetOf, valueFor } from "../editors/target-editor.js";
import { PromoterError } from "../errors.js";
import type { Ancestry } from "../github/read-main-context.js";
import { code, escapeMarkdown } from "./markdown.js";
import { commitMarker } from "./parse-tag.js";
import { type EnvironmentPlan, provePlan } from "./plan-environment.js";
import { promotedLabel, promotionRecordComment, type ReadRecord } from "./promotion-record.js";
import { branchName } from "./pull-request-text.js";
import { tagPrefixOf } from "./select-promotion.js";

export interface CommitPlanInput {
  serviceName: string;
  service: ServiceConfig;
  environmentName: string;
  environment: EnvironmentConfig;
  /** The head of the service's default branch (40 hex) and its image's digest. */
  commit: string;
  digest: string;
  baseText: string | undefined;
  openPullRequest?: { number: number; url: string; text: string | undefined; record: ReadRecord } | undefined;
  source: { repository: string; url: string; defaultBranch: string; pusher?: string | undefined };
  /** How `commit` relates to what the file's marker names (compareCommits); undefined when the file has no marker. */
  ancestry: Ancestry | undefined;
}

/** What the file runs now, and the git revision to compare the head with (a commit prefix or a tag); undefined: no marker. */
export function readRunningMarker(input: Pick<CommitPlanInput, "serviceName" | "service" | "environment" | "baseText">): { pinned: PinnedValue; revision: string | undefined } | undefined {
  if (input.baseText === undefined) return undefined;
  try {
    const pinned = readPin(input.baseText, targetOf(input.serviceName, input.service, input.environment.kind), { file: input.environment.file, markerPrefix: tagPrefixOf(input.serviceName, input.service) });
    // A release marker names a tag of the same repository (staging may run a release).
    return { pinned, revision: pinned.commit ?? (pinned.marker === undefined ? undefined : pinned.marker) };
  } catch (error) {
    if (error instanceof PromoterError) return undefined; // the plan reads again and refuses with the reason
    throw error;
  }
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

export function planCommitEnvironment(input: CommitPlanInput): EnvironmentPlan {
  const { serviceName, service, environmentName, environment, commit } = input;
  const file = environment.file;
  const branch = branchName(environmentName, serviceName);
  const prefix = tagPrefixOf(serviceName, service);
  const marker = commitMarker(prefix, commit);
  const short = commit.slice(0, 12);
  const refuse = (error: unknown): EnvironmentPlan => {
    if (error instanceof PromoterError) return { outcome: "refused", environmentName, file, branch, code: error.code, reason: error.message };
    throw error;
  };
  try {
    const target = targetOf(serviceName, service, environment.kind);
    const value = valueFor(target, service.image, input.digest);
    const location = describeTarget(target);
    if (input.baseText === undefined) {
      throw new PromoterError("file_missing", `${file} does not exist on the infra default branch; create it with ${target.kind === "tfvars" ? `a ${location} assignment` : location}.`);
    }
    const options = { file, markerPrefix: prefix };
    const current = readPin(input.baseText, target, options);
    if (current.value === value) {
      return { outcome: "noop", environmentName, file, branch, reason: `${file} already runs ${serviceName} at ${input.digest}${current.marker === undefined ? "" : ` (${current.marker})`}.` };
    }
    const running = current.marker;
    if (running !== undefined) {
      const from = `${environmentName} runs ${serviceName} at ${running}`;
      switch (input.ancestry) {
        case "ahead":
          break;
        case "identical":
          throw new PromoterError("version_reused", `${from}, which is ${short}, with another digest; a commit is promoted once. Rebuilding the image of a commit does not promote it again.`);
        case "behind":
          throw new PromoterError("commit_not_descendant", `${from}, which is newer than ${short}, the head of ${input.source.defaultBranch}: ${short} is an older commit. The app does not go back; to roll back, edit ${file} by hand in a reviewed PR.`);
        case "diverged":
          throw new PromoterError(
            "commit_not_descendant",
            `${short}, the head of ${input.source.repository}'s ${input.source.defaultBranch}, does not descend from ${running}, which ${environmentName} runs (was ${input.source.defaultBranch} force-pushed?). Nothing is promoted; merge a commit that descends from it, or edit ${file} by hand.`,
          );
        case "missing":
          throw new PromoterError(
            "commit_not_descendant",
            `${from}, which ${input.source.repository} does not know (a rewritten history, or a deleted tag): the app cannot tell that ${short} comes after it. Edit ${file} by hand in a reviewed PR.`,
          );
        case "ambiguous":
          throw new PromoterError(
            "commit_not_descendant",
            `${from}, but GitHub resolves that name to another commit (a branch or tag named like it?): the app cannot tell that ${short} comes after it. Write the marker of the commit that runs, or edit ${file} by hand.`,
          );
        case undefined:
          throw new Error("planCommitEnvironment needs the ancestry of the head against the running marker");
      }
    }

    const edit = editPin(input.baseText, target, { value, marker }, options);
    let superseded: string | undefined;
    const open = input.openPullRequest;
    if (open?.text !== undefined) {
      // Converged only when the branch holds this very edit of the current base: a base that moved is rebuilt (kept mergeable).
      if (open.text === edit.text) {
        return { outcome: "noop", environmentName, file, branch, reason: `PR #${open.number} already proposes ${serviceName} at ${short}.`, pullRequest: { number: open.number, url: open.url } };
      }
      const proposed = readPin(open.text, target, { file: `${file} on ${branch} (PR #${open.number})`, markerPrefix: prefix });
      if (proposed.marker !== marker) superseded = open.record.kind === "record" ? promotedLabel(open.record.record) : proposed.marker;
    }

    const title = `Promote ${serviceName} ${short} to ${environmentName}`;
    const sourceUrl = input.source.url.replace(/\/+$/, "");
    const pusher = input.source.pusher === undefined ? "unknown" : LOGIN.test(input.source.pusher) ? `@${input.source.pusher}` : escapeMarkdown(input.source.pusher);
    const changes =
      running === undefined
        ? "no previous marker in the file"
        : `[${running}...${short}](${sourceUrl}/compare/${encodeURIComponent(current.commit ?? running)}...${commit})`;
    const lines = [
      `Promotes **${serviceName}** to commit ${code(short)} of ${code(input.source.defaultBranch)} in **${environmentName}** by changing ${code(location)} in ${code(file)}.`,
      "",
      "| | |",
      "|---|---|",
      `| Service | ${code(serviceName)} from ${code(input.source.repository)} |`,
      `| Commit | ${running === undefined ? "unknown" : code(running)} → [${code(short)}](${sourceUrl}/commit/${commit}), the head of ${code(input.source.defaultBranch)} |`,
      `| Image | ${code(service.image)} |`,
      `| Digest | ${code(input.digest)} |`,
      `| Changes | ${changes} |`,
      `| Pushed by | ${pusher} |`,
    ];
    if (superseded !== undefined) lines.push("", `This PR was updated: ${short} supersedes ${code(superseded)}, which it proposed before.`);
    lines.push(
      "",
      `The digest is the one the registry returned for the image CI built from this commit; nothing was rebuilt. Only this one line of ${code(file)} changed: the app re-parsed the file to check it.` +
        `${environment.autoMerge === undefined ? "" : ` The app asks GitHub to enable auto-merge (${environment.autoMerge}) on this PR: branch protection's required reviews and checks still decide when it merges.`}`,
      "",
      promotionRecordComment({
        environment: environmentName,
        service: serviceName,
        repository: input.source.repository,
        trigger: "main",
        commit,
        digest: input.digest,
        ...(input.source.pusher !== undefined && LOGIN.test(input.source.pusher) ? { pusher: input.source.pusher } : {}),
      }),
    );
    return {
      outcome: "change",
      environmentName,
      file,
      branch,
      content: edit.text,
      title,
      body: lines.join("\n"),
      commitMessage: `${title}\n\n${location} = ${value}\nSource: ${input.source.repository}@${commit} (${input.source.defaultBranch})`,
      previousVersion: current.version,
      supersededVersion: superseded,
      rollback: undefined,
    };
  } catch (error) {
    return refuse(error);
  }
}

/** planCommitEnvironment, then the proof: the kind's real parser re-reads the new text (see planVerifiedEnvironment). */
export async function planVerifiedCommitEnvironment(input: CommitPlanInput): Promise<EnvironmentPlan> {
  const plan = planCommitEnvironment(input);
  if (plan.outcome !== "change") return plan;
  const target = targetOf(input.serviceName, input.service, input.environment.kind);
  const prefix = tagPrefixOf(input.serviceName, input.service);
  return provePlan(plan, input.baseText, target, { value: valueFor(target, input.service.image, input.digest), marker: commitMarker(prefix, input.commit) }, prefix);
}
