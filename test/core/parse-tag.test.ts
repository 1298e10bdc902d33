import { describe, expect, it } from "vitest";
import { parseReleaseTag } from "../../src/core/parse-tag.js";

describe("parseReleaseTag", () => {
  it.each([
    ["core-v0.10.0", "core", "0.10.0", false],
    ["core-v1.2.3-rc.1", "core", "1.2.3-rc.1", true],
    ["edge-bff-v1.4.2", "edge-bff", "1.4.2", false],
    ["ai-v0.3.0", "ai", "0.3.0", false],
    ["core-v1.0.0-alpha-1", "core", "1.0.0-alpha-1", true],
    ["a-v2-v1.0.0", "a-v2", "1.0.0", false],
    ["core-v0.0.0", "core", "0.0.0", false],
  ])("accepts %s", (tag, prefix, version, prerelease) => {
    expect(parseReleaseTag(tag)).toEqual({ tag, prefix, version, prerelease });
  });

  it.each([
    ["core-v1.2", "not <prefix>-v<major>.<minor>.<patch>"],
    ["core-v01.2.3", "not a valid SemVer 2.0 version"],
    ["core-v1.02.3", "not a valid SemVer 2.0 version"],
    ["core-v1.2.3-01", "not a valid SemVer 2.0 version"],
    ["core-v1.2.3-", "not <prefix>-v"],
    ["core-v1.2.3-rc..1", "not a valid SemVer 2.0 version"],
    ["core-v1.2.3+build.5", "build metadata"],
    ["Core-v1.2.3", "lowercase prefix"],
    ["core-V1.2.3", "not <prefix>-v"],
    ["core-1.2.3", "not <prefix>-v"],
    ["core_v1.2.3", "not <prefix>-v"],
    ["v1.2.3", "not <prefix>-v"],
    ["-v1.2.3", "not <prefix>-v"],
    ["core--v1.2.3", "not <prefix>-v"],
    ["cоre-v1.2.3", "outside printable ASCII"], // Cyrillic о
    ["core-v１.2.3", "outside printable ASCII"], // fullwidth digit
    ["core-v1.2.3\u200b", "outside printable ASCII"], // zero-width space
    ["core-v1.2.3 ", "outside printable ASCII"],
    [`core-v1.2.3-${"a".repeat(90)}`, "longer than 100 characters"],
    ["", "outside printable ASCII"],
  ])("refuses %j (%s)", (tag, why) => {
    expect(() => parseReleaseTag(tag)).toThrow(expect.objectContaining({ code: "invalid_tag", message: expect.stringContaining(why) }));
  });

  it("accepts a tag of exactly 100 characters", () => {
    const tag = `core-v1.2.3-${"a".repeat(100 - "core-v1.2.3-".length)}`;
    expect(tag).toHaveLength(100);
    expect(parseReleaseTag(tag).prerelease).toBe(true);
  });
});
