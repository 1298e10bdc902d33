/** The stand-in's three-way merge follows git's rules on the cases promotions meet. */
import { describe, expect, it } from "vitest";
import { mergeText } from "./merge-files.js";

const base = "a = 1\ncore_image = \"c0\"\nweb_image = \"w0\"\nz = 9\n";

describe("mergeText (git's three-way rule)", () => {
  it("conflicts on edits of adjacent lines: the case of two promotions of neighbouring services", () => {
    expect(mergeText(base, base.replace("c0", "c1"), base.replace("w0", "w1"))).toBeUndefined();
  });
  it("merges edits with an unchanged line between them", () => {
    expect(mergeText(base, base.replace("a = 1", "a = 2"), base.replace("w0", "w1"))).toBe("a = 2\ncore_image = \"c0\"\nweb_image = \"w1\"\nz = 9\n");
  });
  it("merges the same edit made on both sides, and a change against an untouched side", () => {
    expect(mergeText(base, base.replace("c0", "c1"), base.replace("c0", "c1"))).toBe(base.replace("c0", "c1"));
    expect(mergeText(base, base, base.replace("w0", "w1"))).toBe(base.replace("w0", "w1"));
  });
  it("conflicts on different edits of one line, and on two insertions at one place", () => {
    expect(mergeText(base, base.replace("c0", "c1"), base.replace("c0", "c2"))).toBeUndefined();
    expect(mergeText(base, `${base}x = 1\n`, `${base}y = 2\n`)).toBeUndefined();
  });
});
