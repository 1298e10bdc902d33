import { describe, expect, it } from "vitest";
import { editPin, readPin, verifyPin } from "../../src/editors/editors.js";
import type { TargetSpec } from "../../src/editors/target-editor.js";
import { PromoterError } from "../../src/errors.js";

const REF = `ghcr.io/acme/core-api@sha256:${"ab".repeat(32)}`;
const OLD = `ghcr.io/acme/core-api@sha256:${"12".repeat(32)}`;
const options = { file: "envs/prod.tfvars.json", markerPrefix: "core" };
const plain: TargetSpec = { kind: "tfvars-json", variable: "core_image" };
const versioned: TargetSpec = { kind: "tfvars-json", variable: "core_image", versionVariable: "core_version" };
const change = { value: REF, marker: "core-v0.10.0" };

function codeOf(text: string, spec: TargetSpec): string {
  try {
    readPin(text, spec, options);
  } catch (error) {
    if (error instanceof PromoterError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "accepted";
}

describe("tfvars-json", () => {
  it("changes only the value's text; without a version variable the version is unknown", async () => {
    const text = `{\r\n  "web_image": "ghcr.io/acme/web@sha256:${"00".repeat(32)}",\r\n  "core_image":   "${OLD}",\r\n  "replicas": 3\r\n}`;
    expect(readPin(text, plain, options)).toEqual({ value: OLD, line: 3 });
    const edit = editPin(text, plain, change, options);
    expect(edit.text).toBe(text.replace(OLD, REF));
    await verifyPin(text, edit.text, plain, change, options);
    expect(editPin(edit.text, plain, change, options).changed).toBe(false);
  });

  it("with a version variable: reads it for the downgrade rule and rewrites it with the value", async () => {
    const text = `\uFEFF{"core_version": "core-v0.9.0", "core_image": "${OLD}"}\n`;
    expect(readPin(text, versioned, options)).toEqual({ value: OLD, marker: "core-v0.9.0", version: "0.9.0", line: 1 });
    const edit = editPin(text, versioned, change, options);
    expect(edit.text).toBe(`\uFEFF{"core_version": "core-v0.10.0", "core_image": "${REF}"}\n`);
    await verifyPin(text, edit.text, versioned, change, options);
  });

  it("refuses what it cannot be sure of", () => {
    expect(codeOf(`{"other": "x"}`, plain)).toMatch(/^variable_missing: core_image is not set at the top level/);
    expect(codeOf(`{"nested": {"core_image": "x"}}`, plain)).toMatch(/^variable_missing/);
    expect(codeOf(`{"core_image": "a", "core_image": "b"}`, plain)).toMatch(/^variable_duplicated: core_image is set 2 times .* \(lines 1, 1\)/);
    expect(codeOf(`{"core_image": 3}`, plain)).toMatch(/^variable_not_string: .* is a number/);
    expect(codeOf(`{"core_image": null}`, plain)).toMatch(/^variable_not_string: .* is null/);
    expect(codeOf(`{"core_image": "a",}`, plain)).toMatch(/^edit_not_isolated: .* is not valid JSON \(line 1: /);
    expect(codeOf(`{"core_image": "a" // note\n}`, plain)).toMatch(/^edit_not_isolated/);
    expect(codeOf(`["core_image"]`, plain)).toMatch(/^edit_not_isolated: .* is not a JSON object/);
    expect(codeOf(``, plain)).toMatch(/^edit_not_isolated/);
    expect(codeOf(`{"core_image": "a"}`, versioned)).toMatch(/^variable_missing: core_version \(the version of core_image\)/);
    expect(codeOf(`{"core_image": "a", "core_version": "0.9.0"}`, versioned)).toMatch(/^trailing_comment: core_version .* holds "0\.9\.0", not a release tag core-vX\.Y\.Z/);
    expect(codeOf(`{"core_image": "a", "core_version": "web-v0.9.0"}`, versioned)).toMatch(/^trailing_comment/);
  });

  it("verify refuses an edit that changed anything else", async () => {
    const text = `{\n  "core_image": "${OLD}",\n  "replicas": 3\n}\n`;
    const good = editPin(text, plain, change, options).text;
    await expect(verifyPin(text, good.replace("3", "4"), plain, change, options)).rejects.toThrow(/changed more than its value/);
    await expect(verifyPin(text, good.replace("3\n", "3 \n"), plain, change, options)).rejects.toThrow(/changed line 3/);
    await expect(verifyPin(text, good.replace("}", "},"), plain, change, options)).rejects.toThrow(/does not parse as JSON/);
  });
});
