import { describe, expect, it } from "vitest";
import { decideVersion, isStrictVersion } from "../../src/core/version-policy.js";

describe("decideVersion: the monotonic rule for every target", () => {
  it.each([
    // current, proposed, decision
    [undefined, "1.0.0", "unknown"],
    ["0.9.0", "0.10.0", "upgrade"],
    ["0.10.0", "0.9.0", "downgrade"],
    ["1.0.0", "1.0.0", "same"],
    ["1.0.0-rc.1", "1.0.0", "upgrade"],
    ["1.0.0", "1.0.0-rc.1", "downgrade"],
    ["1.0.0-rc.2", "1.0.0-rc.10", "upgrade"],
    ["1.0.0-beta", "1.0.0-alpha", "downgrade"],
    ["0.4.0", "0.3.2", "downgrade"],
    ["2.0.0", "10.0.0", "upgrade"],
    // What a target holds but is not strict SemVer: never "unknown", the caller refuses.
    ["1.0", "1.0.1", "unreadable"],
    ["v1.0.0", "1.0.1", "unreadable"],
    ["=1.0.0", "1.0.1", "unreadable"],
    ["01.0.0", "1.0.1", "unreadable"],
    ["1.0.0+build.5", "1.0.1", "unreadable"],
    [" 1.0.0", "1.0.1", "unreadable"],
    ["", "1.0.1", "unreadable"],
    ["latest", "1.0.1", "unreadable"],
  ] as const)("current %j, proposed %s → %s", (current, proposed, decision) => {
    expect(decideVersion(current, proposed)).toBe(decision);
  });

  it.each(["1.0", "v1.0.0", "1.0.0+b", ""])("throws for a proposed version %j that is not strict (a bug upstream)", (proposed) => {
    expect(() => decideVersion("1.0.0", proposed)).toThrow(RangeError);
  });

  it.each([
    ["1.2.3", true],
    ["1.2.3-rc.1", true],
    ["1.2.3+b", false],
    ["v1.2.3", false],
    ["1.2", false],
  ] as const)("isStrictVersion(%s) is %s", (version, strict) => {
    expect(isStrictVersion(version)).toBe(strict);
  });
});
