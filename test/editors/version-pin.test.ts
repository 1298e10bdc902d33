import { describe, expect, it } from "vitest";
import { bumpVersionPin } from "../../src/editors/version-pin.js";

const pattern = "acme-contracts-schemas=={version}";

describe("bumpVersionPin", () => {
  it.each([
    ["requirements.txt", "fastapi==0.110.0\nacme-contracts-schemas==0.3.1\nuvicorn==0.29.0\n", "fastapi==0.110.0\nacme-contracts-schemas==0.3.2\nuvicorn==0.29.0\n", "0.3.1"],
    ["CRLF and a comment", "acme-contracts-schemas==0.3.1  # pinned\r\nx==1\r\n", "acme-contracts-schemas==0.3.2  # pinned\r\nx==1\r\n", "0.3.1"],
    ["no final newline", "acme-contracts-schemas==0.3.1", "acme-contracts-schemas==0.3.2", "0.3.1"],
    ["a prerelease pin", "acme-contracts-schemas==0.3.2rc1\n", "acme-contracts-schemas==0.3.2\n", "0.3.2rc1"],
  ])("%s", (_name, text, expected, from) => {
    expect(bumpVersionPin(text, { pattern, version: "0.3.2" })).toMatchObject({ text: expected, from, changed: true });
  });

  it("works with a URL pattern", () => {
    const text = 'SCHEMAS_URL = "https://github.com/acme/contracts/releases/download/contracts-v0.3.1/schemas.tar.gz"\n';
    const edit = bumpVersionPin(text, { pattern: "releases/download/contracts-v{version}/schemas.tar.gz", version: "0.3.2" });
    expect(edit.text).toBe(text.replace("v0.3.1", "v0.3.2"));
  });

  it("reports no change when already at the version", () => {
    expect(bumpVersionPin("acme-contracts-schemas==0.3.2\n", { pattern, version: "0.3.2" })).toMatchObject({ changed: false, from: "0.3.2" });
  });

  it.each([
    ["no match", "fastapi==1\n", "pin_not_found"],
    ["a longer name only", "my-acme-contracts-schemas==0.3.1\n", "pin_not_found"],
    ["two matches", "acme-contracts-schemas==0.3.1\n# acme-contracts-schemas==0.2.0\n", "pin_ambiguous"],
  ])("refuses %s", (_name, text, code) => {
    expect(() => bumpVersionPin(text, { pattern, version: "0.3.2" }, { file: "requirements.txt" })).toThrow(expect.objectContaining({ code, message: expect.stringContaining("requirements.txt") }));
  });
});
