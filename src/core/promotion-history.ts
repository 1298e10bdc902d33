import type { ReadRecord } from "./promotion-record.js";

export interface HistoryInput {
  tag: string;
  /** The commit the tag names now. */
  commit: string;
  /** owner/name of the source repository. */
  repository: string;
  open: { number: number; url: string; record: ReadRecord } | undefined;
  closed: Array<{ number: number; url: string; merged: boolean; record: ReadRecord }>;
}

export type HistoryVerdict =
  | { kind: "proceed" }
  | { kind: "refuse"; code: "tag_moved" | "pull_request_unreadable"; reason: string }
  | { kind: "noop"; reason: string };

/**
 * What the promotion branch's PRs (open and recently closed) say about promoting `tag` again
 * (pure). The PR records are the app's memory:
 * - a record of this tag at another commit means the tag was moved: a moved release tag is a
 *   security signal, not a new release (`tag_moved`), whatever triggered this look;
 * - a PR of this tag that a person closed without merging is their decision: not reopened;
 * - an open PR whose record cannot be read is not overwritten (`pull_request_unreadable`).
 */
export function judgePromotionHistory(input: HistoryInput): HistoryVerdict {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (input.open?.record.kind === "unreadable") {
    return {
      kind: "refuse",
      code: "pull_request_unreadable",
      reason: `PR #${input.open.number} on the promotion branch has a record the app cannot read (${input.open.record.reason}); it is left as it is. Close it to let the app open a new one.`,
    };
  }
  const prs = [...(input.open === undefined ? [] : [{ ...input.open, merged: false, state: "open" }]), ...input.closed.map((pr) => ({ ...pr, state: pr.merged ? "merged" : "closed" }))];
  for (const pr of prs) {
    if (pr.record.kind !== "record") continue;
    const { record } = pr.record;
    if (record.tag === input.tag && same(record.repository, input.repository) && record.commit !== input.commit) {
      return {
        kind: "refuse",
        code: "tag_moved",
        reason:
          `${input.tag} named commit ${record.commit.slice(0, 12)} when it was promoted in PR #${pr.number} (${pr.state}), and now names ${input.commit.slice(0, 12)}. ` +
          `A moved release tag is never promoted; push a new version tag for the new commit.`,
      };
    }
  }
  const closedByPerson = input.closed.find((pr) => !pr.merged && pr.record.kind === "record" && pr.record.record.tag === input.tag);
  if (closedByPerson !== undefined) {
    return {
      kind: "noop",
      reason: `[PR #${closedByPerson.number}](${closedByPerson.url}) promoting ${input.tag} was closed without merging; the app does not reopen it (reopen the PR, or push a newer tag).`,
    };
  }
  return { kind: "proceed" };
}
