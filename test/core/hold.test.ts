import { describe, expect, it } from "vitest";
import { activeHold, heldReason, holds } from "../../src/core/hold.js";
import type { ReadRecord } from "../../src/core/promotion-record.js";

const commit = "a".repeat(40);
const digest = `sha256:${"b".repeat(64)}`;
const record = (tag: string, rollback?: { from?: string; released?: { by: string } }): ReadRecord => ({
  kind: "record",
  record: { environment: "prod", service: "core", repository: "acme/core-api", tag, commit, digest, ...(rollback === undefined ? {} : { rollback }) },
});
let day = 0;
const merged = (number: number, read: ReadRecord) => ({ number, url: `https://github.com/acme/infra/pull/${number}`, merged: true, mergedAt: `2026-12-${String(++day).padStart(2, "0")}T10:00:00Z`, record: read });

describe("activeHold", () => {
  it("a merged rollback holds versions up to the one rolled back from; a newer release merged after it ends the hold", () => {
    day = 0;
    const promoted = merged(1, record("core-v1.0.0"));
    const rollback = merged(2, record("core-v0.9.3", { from: "1.0.0" }));
    const hold = activeHold([rollback, promoted])!;
    expect(hold).toMatchObject({ number: 2, version: "0.9.3", through: "1.0.0" });
    expect([holds(hold, "1.0.0"), holds(hold, "0.9.9"), holds(hold, "1.0.1")]).toEqual([true, true, false]);
    expect(activeHold([merged(3, record("core-v1.0.1")), rollback, promoted])).toBeUndefined();
  });

  it("a promotion merged after the rollback at or below the rolled-back-from version keeps the hold", () => {
    day = 0;
    const rollback = merged(2, record("core-v0.9.3", { from: "1.0.0" }));
    expect(activeHold([merged(3, record("core-v0.9.4")), rollback])).toMatchObject({ number: 2, version: "0.9.4", through: "1.0.0" });
  });

  it("released by a person: no hold; not a rollback: no hold", () => {
    day = 0;
    expect(activeHold([merged(2, record("core-v0.9.3", { from: "1.0.0", released: { by: "alice" } }))])).toBeUndefined();
    expect(activeHold([merged(1, record("core-v1.0.0"))])).toBeUndefined();
    expect(activeHold([])).toBeUndefined();
  });

  it("fails closed: the newest merged PR's record unreadable, or a merge time missing, holds every version, saying why", () => {
    day = 0;
    const rollback = merged(2, record("core-v0.9.3", { from: "1.0.0" }));
    const edited = merged(3, { kind: "unreadable", reason: "the promotion record is not JSON" });
    const hold = activeHold([edited, rollback])!;
    expect(hold).toMatchObject({ number: 3, through: undefined });
    expect(holds(hold, "9.9.9")).toBe(true);
    expect(heldReason(hold, "core", "prod", "1.0.1")).toMatch(/the promotion record of PR #3, the newest merged one, cannot be read \(the promotion record is not JSON\); restore it/);
    expect(activeHold([{ ...rollback, mergedAt: undefined }])).toMatchObject({ number: 2, through: undefined, reason: "the app cannot tell when PR #2 was merged" });
  });
});
