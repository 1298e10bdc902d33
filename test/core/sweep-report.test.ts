import { describe, expect, it } from "vitest";
import { decideSweepReport, reportSweep } from "../../src/core/sweep-report.js";

const skipped = [{ environment: "prod", service: "web", reason: "acme/web-ui is not visible to the app" }];
const failing = reportSweep(skipped, 4);
const clean = reportSweep([], 4);
const reported = (text: typeof failing, id = 9) => ({ id, status: "COMPLETED", conclusion: text.conclusion, title: text.title, summary: text.summary });

describe("the sweep's check run on infra's head", () => {
  it("lists every skipped key with its reason, as a failure", () => {
    expect(failing).toMatchObject({ conclusion: "failure", title: "1 of 4 keys cannot be reconciled" });
    expect(failing.summary).toContain("- **prod** / **web**: acme/web-ui is not visible to the app");
    expect(clean).toMatchObject({ conclusion: "success", title: "Every key reconciled (4)" });
  });

  it.each([
    ["nothing skipped, nothing reported: no write", clean, undefined, { kind: "none" }],
    ["skipped, nothing reported: created", failing, undefined, { kind: "create", text: failing }],
    ["the same finding already reported: no write", failing, reported(failing), { kind: "none" }],
    ["mended since the failure on this head: updated", clean, reported(failing), { kind: "update", id: 9, text: clean }],
    ["a different finding on this head: updated", reportSweep([...skipped, { environment: "prod", service: "core", reason: "x" }], 4), reported(failing), { kind: "update", id: 9 }],
    ["the same text still in progress: updated", failing, { ...reported(failing), status: "IN_PROGRESS" }, { kind: "update", id: 9 }],
  ] as const)("%s", (_name, text, existing, expected) => {
    expect(decideSweepReport(text, existing)).toMatchObject(expected);
  });
});
