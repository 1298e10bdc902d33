/**
 * The promotion record in the PR body is the reconciler's memory (no state of its own): it must
 * round-trip, and anything that is not exactly a record it wrote is either "not ours" (none) or
 * "unreadable" — never a guess. The history judgement built on it refuses moved tags.
 */
import { describe, expect, it } from "vitest";
import { judgePromotionHistory } from "../../src/core/promotion-history.js";
import { type PromotionRecord, promotionRecordComment, readPromotionRecord } from "../../src/core/promotion-record.js";

const record: PromotionRecord = {
  environment: "prod",
  service: "core",
  repository: "acme/core-api",
  tag: "core-v1.2.3",
  commit: "c".repeat(40),
  digest: `sha256:${"d".repeat(64)}`,
  pusher: "octocat",
};
const body = (comment: string) => `Promotes **core-v1.2.3**.\n\n${comment}\n`;

describe("promotion record", () => {
  it("round-trips inside a PR body, as an HTML comment GitHub does not show", () => {
    const comment = promotionRecordComment(record);
    expect(comment).toMatch(/^<!-- release-promoter:promotion \{.*\} -->$/);
    expect(readPromotionRecord(body(comment))).toEqual({ kind: "record", record });
  });

  it("is none for a body without one (not the app's promotion)", () => {
    expect(readPromotionRecord(null)).toEqual({ kind: "none" });
    expect(readPromotionRecord("Bump core by hand")).toEqual({ kind: "none" });
  });

  it.each([
    ["not closed", "<!-- release-promoter:promotion {\"v\":1", "the promotion record is not closed"],
    ["not JSON", "<!-- release-promoter:promotion {v:1} -->", "the promotion record is not JSON"],
    ["another version", promotionRecordComment(record).replace('"v":1', '"v":2'), "the promotion record is invalid (v)"],
    ["edited tag", promotionRecordComment(record).replace("core-v1.2.3", "core-v1.2"), "the promotion record is invalid (tag)"],
    ["short commit", promotionRecordComment(record).replace("c".repeat(40), "c".repeat(12)), "the promotion record is invalid (commit)"],
    ["two records", `${promotionRecordComment(record)}\n${promotionRecordComment(record)}`, "the body holds two promotion records"],
  ])("is unreadable, with the reason, when %s", (_name, comment, reason) => {
    expect(readPromotionRecord(body(comment))).toEqual({ kind: "unreadable", reason });
  });
});

describe("judgePromotionHistory", () => {
  const ours = { kind: "record", record } as const;
  const input = { tag: "core-v1.2.3", commit: record.commit, repository: "ACME/core-api", open: undefined, closed: [] };

  it("proceeds when nothing on the branch says otherwise (repository compared case-insensitively)", () => {
    expect(judgePromotionHistory(input)).toEqual({ kind: "proceed" });
    expect(judgePromotionHistory({ ...input, open: { number: 1, url: "u", record: ours } })).toEqual({ kind: "proceed" });
    expect(judgePromotionHistory({ ...input, closed: [{ number: 1, url: "u", merged: true, record: ours }] })).toEqual({ kind: "proceed" });
  });

  it("refuses a tag that now names another commit than the one it was promoted at (tag_moved), open or closed", () => {
    const moved = { ...input, commit: "e".repeat(40) };
    for (const history of [{ ...moved, open: { number: 9, url: "u", record: ours } }, { ...moved, closed: [{ number: 9, url: "u", merged: true, record: ours }] }]) {
      const verdict = judgePromotionHistory(history);
      expect(verdict).toMatchObject({ kind: "refuse", code: "tag_moved" });
      expect(verdict.kind === "refuse" && verdict.reason).toContain(`named commit ${"c".repeat(12)} when it was promoted in PR #9`);
    }
  });

  it("does not reopen what a person closed without merging", () => {
    expect(judgePromotionHistory({ ...input, closed: [{ number: 4, url: "https://x/4", merged: false, record: ours }] })).toMatchObject({ kind: "noop", reason: expect.stringContaining("closed without merging") });
  });

  it("refuses to overwrite an open PR whose record it cannot read", () => {
    expect(judgePromotionHistory({ ...input, open: { number: 2, url: "u", record: { kind: "unreadable", reason: "the promotion record is not JSON" } } })).toMatchObject({
      kind: "refuse",
      code: "pull_request_unreadable",
    });
  });
});
