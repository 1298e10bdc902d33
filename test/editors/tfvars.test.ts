import { describe, expect, it } from "vitest";
import { parse } from "@cdktf/hcl2json";
import { editTfvars, readTfvarsAssignment, releaseMarkerOf, type TfvarsChange } from "../../src/editors/tfvars.js";
import { PromoterError, type ErrorCode } from "../../src/errors.js";

const OLD = "ghcr.io/acme/core-api@sha256:1111111111111111111111111111111111111111111111111111111111111111";
const NEW = "ghcr.io/acme/core-api@sha256:2222222222222222222222222222222222222222222222222222222222222222";
const change: TfvarsChange = { variable: "core_image", value: NEW, marker: "core-v0.10.0" };
const file = "envs/prod.tfvars";

function refusal(run: () => unknown): PromoterError {
  try {
    run();
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error("expected a PromoterError, got none");
}

describe("readTfvarsAssignment", () => {
  it.each([
    ["a marker comment", `core_image = "${OLD}" # core-v0.9.0\n`, { value: OLD, marker: "core-v0.9.0", version: "0.9.0", line: 1 }],
    ["a // marker comment", `core_image = "${OLD}" // core-v0.9.0\n`, { value: OLD, marker: "core-v0.9.0", version: "0.9.0", line: 1 }],
    ["a marker without space", `core_image = "${OLD}" #core-v0.9.0\n`, { value: OLD, marker: "core-v0.9.0", version: "0.9.0", line: 1 }],
    ["a prerelease marker", `core_image = "x" # core-v1.2.3-rc.1\n`, { value: "x", marker: "core-v1.2.3-rc.1", version: "1.2.3-rc.1", line: 1 }],
    ["no marker", `# prod\n\ncore_image = "${OLD}"\n`, { value: OLD, line: 3 }],
    ["an empty string", `core_image = ""\n`, { value: "", line: 1 }],
    ["escapes", `core_image = "a\\"b\\\\c\\nd\\te\\r\\u00e9\\U0001F600"\n`, { value: 'a"b\\c\nd\te\r\u00e9\u{1F600}', line: 1 }],
    ["template escapes", `core_image = "$\${x} %%{y} $$ %"\n`, { value: "${x} %{y} $$ %", line: 1 }],
    ["NFC normalisation as HCL does it", `core_image = "e\\u0301"\n`, { value: "\u00e9", line: 1 }],
    ["CRLF, BOM and tabs", `\uFEFF# prod\r\n\tcore_image\t=\t"x"\t# core-v1.0.0\r\n`, { value: "x", marker: "core-v1.0.0", version: "1.0.0", line: 2 }],
    ["no final newline", `a = 1\ncore_image = "x"`, { value: "x", line: 2 }],
    ["a multi-line block comment above", `/* a\n b */\ncore_image = "x"\n`, { value: "x", line: 3 }],
  ])("reads %s", (_, text, expected) => {
    expect(readTfvarsAssignment(text, "core_image", { markerPrefix: "core" })).toEqual({ variable: "core_image", ...expected });
  });
});

describe("editTfvars writes the value and marker and keeps every other byte", () => {
  it.each([
    [
      "an existing marker",
      `# production\ncore_image = "${OLD}" # core-v0.9.0\nweb_image  = "w" # web-v1.0.0\n`,
      `# production\ncore_image = "${NEW}" # core-v0.10.0\nweb_image  = "w" # web-v1.0.0\n`,
    ],
    ["no marker yet: append one", `core_image = "${OLD}"\n`, `core_image = "${NEW}" # core-v0.10.0\n`],
    [
      "no marker, trailing whitespace stays before the line ending",
      `core_image = "${OLD}"  \n`,
      `core_image = "${NEW}"   # core-v0.10.0\n`,
    ],
    [
      "alignment",
      `web_image    = "w"\ncore_image   =   "${OLD}"    # core-v0.9.0\n`,
      `web_image    = "w"\ncore_image   =   "${NEW}"    # core-v0.10.0\n`,
    ],
    [
      "tabs",
      `\tcore_image\t=\t"${OLD}"\t# core-v0.9.0\n\tweb_image\t= "w"\n`,
      `\tcore_image\t=\t"${NEW}"\t# core-v0.10.0\n\tweb_image\t= "w"\n`,
    ],
    [
      "CRLF",
      `a = 1\r\ncore_image = "${OLD}" # core-v0.9.0\r\nb = 2\r\n`,
      `a = 1\r\ncore_image = "${NEW}" # core-v0.10.0\r\nb = 2\r\n`,
    ],
    ["CRLF without marker", `core_image = "${OLD}"\r\nb = 2\r\n`, `core_image = "${NEW}" # core-v0.10.0\r\nb = 2\r\n`],
    ["a UTF-8 BOM", `\uFEFFcore_image = "${OLD}"\n`, `\uFEFFcore_image = "${NEW}" # core-v0.10.0\n`],
    ["no final newline", `a = 1\ncore_image = "${OLD}" # core-v0.9.0`, `a = 1\ncore_image = "${NEW}" # core-v0.10.0`],
    ["no final newline, no marker", `core_image = "${OLD}"`, `core_image = "${NEW}" # core-v0.10.0`],
    [
      "trailing whitespace on other lines",
      `a = 1   \n\t\ncore_image = "${OLD}"\nb = 2 \t\n`,
      `a = 1   \n\t\ncore_image = "${NEW}" # core-v0.10.0\nb = 2 \t\n`,
    ],
    ["a // marker becomes a # marker", `core_image = "${OLD}" // core-v0.9.0\n`, `core_image = "${NEW}" # core-v0.10.0\n`],
    [
      "whitespace inside and after the old marker",
      `core_image = "${OLD}"  #   core-v0.9.0  \n`,
      `core_image = "${NEW}"  # core-v0.10.0  \n`,
    ],
    [
      "comments, blank lines and other values around it",
      `# Production.\n\n/* managed by release-promoter */\nweb_image = "w" # web-v1.0.0\n\ncore_image = "${OLD}" # core-v0.9.0\n// end\nreplicas = { core = 3 }\n\n`,
      `# Production.\n\n/* managed by release-promoter */\nweb_image = "w" # web-v1.0.0\n\ncore_image = "${NEW}" # core-v0.10.0\n// end\nreplicas = { core = 3 }\n\n`,
    ],
    [
      "unicode elsewhere in the file",
      `note = "café ☕ 🚀"\ncore_image = "${OLD}"\n`,
      `note = "café ☕ 🚀"\ncore_image = "${NEW}" # core-v0.10.0\n`,
    ],
  ])("%s", (_, input, expected) => {
    const edit = editTfvars(input, change, { file });
    expect(edit.text).toBe(expected);
    expect(edit.changed).toBe(true);
    expect(readTfvarsAssignment(edit.text, "core_image", { markerPrefix: "core" })).toMatchObject({ value: NEW, marker: "core-v0.10.0" });
  });

  it("reports what was there before", () => {
    const edit = editTfvars(`a = 1\ncore_image = "${OLD}" # core-v0.9.0\n`, change);
    expect(edit.previous).toEqual({ variable: "core_image", value: OLD, marker: "core-v0.9.0", version: "0.9.0", line: 2 });
  });
});

describe("editTfvars escapes the value as an HCL string that can never become a template", () => {
  it.each([
    ["a double quote", 'a"b', '"a\\"b"'],
    ["a backslash", "a\\b", '"a\\\\b"'],
    ["a newline, a tab and a carriage return", "a\nb\tc\rd", '"a\\nb\\tc\\rd"'],
    ["other control characters", "a\u0000b\u0007c\u007Fd\u0085e", '"a\\u0000b\\u0007c\\u007Fd\\u0085e"'],
    ["bidirectional controls and line separators", "a\u202Eb\u2066c\u2028d\uFEFF", '"a\\u202Eb\\u2066c\\u2028d\\uFEFF"'],
    ["an interpolation", "${var.x}", '"$${var.x}"'],
    ["a directive", "%{ if true }x%{ endif }", '"%%{ if true }x%%{ endif }"'],
    ["what looks like an escaped interpolation", "$${x} %%{y}", '"$$${x} %%%{y}"'],
    ["lone $ and %", "$ % $$ %% $", '"$ % $$ %% $"'],
    ["non-ASCII text", "café 🚀 한국어", '"café 🚀 한국어"'],
    ["comment-like text", "# core-v9.9.9 // /* */", '"# core-v9.9.9 // /* */"'],
  ])("%s", (_, value, written) => {
    const edit = editTfvars(`core_image = "${OLD}"\n`, { ...change, value });
    expect(edit.text).toBe(`core_image = ${written} # core-v0.10.0\n`);
    expect(readTfvarsAssignment(edit.text, "core_image", { markerPrefix: "core" }).value).toBe(value);
  });
});

describe("editTfvars when nothing changes", () => {
  it("returns the input itself when value and marker are already there", () => {
    const input = `core_image = "${NEW}"   # core-v0.10.0\r\n`;
    const edit = editTfvars(input, change);
    expect(edit).toEqual({ text: input, changed: false, previous: { variable: "core_image", value: NEW, marker: "core-v0.10.0", version: "0.10.0", line: 1 } });
  });

  it("compares decoded values, not spellings", () => {
    const input = `core_image = "\\u0041" # core-v0.10.0\n`;
    expect(editTfvars(input, { ...change, value: "A" })).toMatchObject({ text: input, changed: false });
  });

  it("rewrites only the marker when only the marker differs", () => {
    const edit = editTfvars(`core_image = "${NEW}" // core-v0.9.0\n`, change);
    expect(edit).toMatchObject({ text: `core_image = "${NEW}" # core-v0.10.0\n`, changed: true });
  });

  it("adds a marker when the value is there without one", () => {
    expect(editTfvars(`core_image = "${NEW}"\n`, change)).toMatchObject({ text: `core_image = "${NEW}" # core-v0.10.0\n`, changed: true });
  });
});

describe("refusals", () => {
  it.each<[string, string, ErrorCode, string]>([
    ["an empty file", "", "variable_missing", `core_image is not assigned at the top level of ${file}; add a line core_image = "…"`],
    ["only other variables", `web_image = "w"\n`, "variable_missing", "core_image is not assigned"],
    ["assigned twice", `core_image = "a"\nb = 1\ncore_image = "b"\n`, "variable_duplicated", `core_image is assigned twice in ${file} (lines 1 and 3); keep one assignment`],
    ["assigned three times", `core_image = "a"\ncore_image = "b"\n\ncore_image = "c"\n`, "variable_duplicated", `core_image is assigned 3 times in ${file} (lines 1, 2 and 4); keep one assignment`],
    ["assigned twice, once not a string", `core_image = "a"\ncore_image = 1\n`, "variable_duplicated", "(lines 1 and 2)"],
    ["a heredoc", `core_image = <<EOT\n${OLD}\nEOT\n`, "variable_not_string", `core_image in ${file} (line 1) is a heredoc; write it as one quoted string`],
    ["an indented heredoc", `core_image = <<-EOT\n  ${OLD}\n  EOT\n`, "variable_not_string", "is a heredoc"],
    ["an interpolation", `core_image = "ghcr.io/acme/core-api@\${var.digest}"\n`, "variable_not_string", `core_image in ${file} (line 1) contains an interpolation`],
    ["a directive", `core_image = "%{ if true }x%{ endif }"\n`, "variable_not_string", "contains an interpolation"],
    ["a nested interpolation", `core_image = "\${"\${x}"}"\n`, "variable_not_string", "contains an interpolation"],
    ["a number", "core_image = 42\n", "variable_not_string", `core_image in ${file} (line 1) is not a quoted string; write it on one line as core_image = "…"`],
    ["a bool", "core_image = true\n", "variable_not_string", "is not a quoted string"],
    ["null", "core_image = null\n", "variable_not_string", "is not a quoted string"],
    ["a list", `core_image = ["a"]\n`, "variable_not_string", "is not a quoted string"],
    ["a map", `core_image = { a = "b" }\n`, "variable_not_string", "is not a quoted string"],
    ["a reference", "core_image = var.image\n", "variable_not_string", "is not a quoted string"],
    ["a function call", `core_image = lower("A")\n`, "variable_not_string", "is not a quoted string"],
    ["an expression after the string", `core_image = "a" == "b"\n`, "variable_not_string", "is not a quoted string"],
    ["a conditional", `core_image = true ? "a" : "b"\n`, "variable_not_string", "is not a quoted string"],
    ["a multi-line expression", `core_image = (\n  "a"\n)\n`, "variable_not_string", "is not a quoted string"],
    ["a multi-line list", `a = 1\ncore_image = [\n  "a",\n]\n`, "variable_not_string", "(line 2) is not a quoted string"],
    ["no value", "core_image =\n", "variable_not_string", "is not a quoted string"],
    ["an invalid escape", `core_image = "a\\qb"\n`, "variable_not_string", "invalid escape sequence \\q"],
    ["a surrogate escape", `core_image = "\\ud800"\n`, "variable_not_string", "invalid escape sequence \\ud800"],
    ["a human comment", `core_image = "${OLD}" # owned by team core\n`, "trailing_comment", `core_image in ${file} (line 1) has a comment on its line (# owned by team core); move the comment to its own line`],
    ["a human // comment", `core_image = "${OLD}" // TODO pin\n`, "trailing_comment", "(// TODO pin)"],
    ["a block comment after the value", `core_image = "${OLD}" /* pinned */\n`, "trailing_comment", "(/* pinned */)"],
    ["a block comment spanning lines", `core_image = "${OLD}" /* pinned\n  by ops */\n`, "trailing_comment", "has a comment on its line (/* pinned by ops */)"],
    ["a marker followed by more text", `core_image = "${OLD}" # core-v0.9.0 (hotfix)\n`, "trailing_comment", "(# core-v0.9.0 (hotfix))"],
    ["a marker with an upper-case prefix", `core_image = "${OLD}" # Core-v0.9.0\n`, "trailing_comment", "(# Core-v0.9.0)"],
    ["a block marker", `core_image = "${OLD}" /* core-v0.9.0 */\n`, "trailing_comment", "(/* core-v0.9.0 */)"],
    ["a comment before the value", `core_image = /* pinned */ "${OLD}"\n`, "trailing_comment", "(/* pinned */)"],
    ["a comment before the name", `/* pinned */ core_image = "${OLD}"\n`, "trailing_comment", "(/* pinned */)"],
    ["a marker and another comment", `core_image = "${OLD}" /* x */ # core-v0.9.0\n`, "trailing_comment", "(/* x */)"],
    ["an unterminated string", `a = "x\ncore_image = "${OLD}"\n`, "edit_not_isolated", `${file} is not valid HCL (line 1: a quoted string is not closed on its line); fix the file so Terraform can read it`],
    ["an unterminated block comment", `/* a\ncore_image = "${OLD}"\n`, "edit_not_isolated", "(line 1: a /* comment is never closed)"],
    ["an unterminated heredoc", `a = <<EOT\ncore_image = "${OLD}"\n`, "edit_not_isolated", "(line 1: a heredoc is never closed (no line with only EOT))"],
    ["an unclosed template", `a = "\${ "}"\ncore_image = "${OLD}"\n`, "edit_not_isolated", "(line 1: a ${ template sequence is never closed)"],
    ["an unclosed template in a heredoc", `a = <<EOT\n\${ x\nEOT\n`, "edit_not_isolated", "(line 2: a ${ template sequence is never closed)"],
    ["an unclosed bracket", `a = [\ncore_image = "${OLD}"\n`, "edit_not_isolated", "(line 1: [ is never closed)"],
    ["an unexpected bracket", `a = 1 }\ncore_image = "${OLD}"\n`, "edit_not_isolated", "(line 1: unexpected })"],
  ])("refuses %s", (_, input, code, message) => {
    const read = refusal(() => readTfvarsAssignment(input, "core_image", { file, markerPrefix: "core" }));
    expect(read.code).toBe(code);
    expect(read.message).toContain(message);
    expect(read.retryable).toBe(false);
    const edit = refusal(() => editTfvars(input, change, { file }));
    expect(edit.code).toBe(code);
    expect(edit.message).toBe(read.message);
  });

  it("names the file generically when no name is given", () => {
    expect(refusal(() => readTfvarsAssignment("", "core_image", { markerPrefix: "core" })).message).toBe(
      'core_image is not assigned at the top level of the tfvars file; add a line core_image = "…" for the app to update',
    );
  });

  it.each<[string, TfvarsChange, ErrorCode, string]>([
    ["a marker that is not a release tag", { ...change, marker: "core-v1.0" }, "invalid_tag", 'Tag "core-v1.0" is refused: it is not <prefix>-v<major>.<minor>.<patch>[-<prerelease>] with a lowercase prefix.'],
    ["a marker with an upper-case prefix", { ...change, marker: "Core-v1.0.0" }, "invalid_tag", 'Tag "Core-v1.0.0" is refused: it is not <prefix>'],
    ["a marker with a line break", { ...change, marker: "core-v1.0.0\nx = 1" }, "invalid_tag", 'Tag "core-v1.0.0\\nx = 1" is refused: it contains characters outside printable ASCII'],
    ["a variable that is not an identifier", { ...change, variable: "core image" }, "config_invalid", '"core image" is not a Terraform variable name'],
  ])("refuses %s", (_, bad, code, message) => {
    const error = refusal(() => editTfvars(`core_image = "${OLD}"\n`, bad));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it.each([
    ["a lone surrogate", "a\uD800"],
    ["text that is not NFC", "e\u0301"],
  ])("throws a RangeError (a bug upstream) for a value with %s", (_, value) => {
    expect(() => editTfvars(`core_image = "${OLD}"\n`, { ...change, value })).toThrow(RangeError);
  });
});

/** Each look-alike is valid HCL in which `core_image` is not a top-level assignment. */
const lookAlikes: [string, string][] = [
  ["a longer name", `core_image_tag = "ghcr.io/evil"`],
  ["a name ending in it", `my_core_image = "ghcr.io/evil"`],
  ["a key of an inline map", `x = { core_image = "ghcr.io/evil" }`],
  ["a key of a multi-line map", `x = {\n  core_image = "ghcr.io/evil"\n  other      = 1\n}`],
  ["a key of an object in a list", `x = [\n  { core_image = "ghcr.io/evil" },\n]`],
  ["a key with a colon in a map", `x = {\n  core_image: "ghcr.io/evil"\n}`],
  ["a key of an inline block", `block { core_image = "ghcr.io/evil" }`],
  ["a key of a labelled multi-line block", `block "label" {\n  core_image = "ghcr.io/evil"\n}`],
  ["a # comment", `# core_image = "ghcr.io/evil"`],
  ["a // comment", `// core_image = "ghcr.io/evil"`],
  ["a /* */ comment", `/* core_image = "ghcr.io/evil" */`],
  ["a multi-line block comment", `/*\ncore_image = "ghcr.io/evil"\n*/`],
  ["a string holding a comment", `a = "# core_image = x"`],
  ["a string holding an assignment", `a = "\\"\\ncore_image = \\"ghcr.io/evil"`],
  ["a template holding an assignment", `a = "\${"core_image = \\"ghcr.io/evil\\""}"`],
  ["a template with braces", `a = "\${ { k = "}" }.k }\\ncore_image = \\"evil\\""`],
  ["the body of another heredoc", `a = <<EOT\ncore_image = "ghcr.io/evil"\nEOT`],
  ["the body of an indented heredoc", `a = <<-EOT\n  core_image = "ghcr.io/evil"\n  EOT`],
  ["a heredoc whose marker appears mid-line", `a = <<EOT\nnot EOT\ncore_image = "ghcr.io/evil"\nEOT`],
];

describe("look-alikes are not the assignment", () => {
  it.each(lookAlikes)("ignores %s", async (_, lookAlike) => {
    const input = `${lookAlike}\ncore_image = "${OLD}" # core-v0.9.0\n`;
    const line = lookAlike.split("\n").length + 1;
    // The real parser agrees: valid HCL, and the top-level core_image is the one on `line`.
    await expect(parse("prod.tfvars", input)).resolves.toMatchObject({ core_image: OLD });

    expect(readTfvarsAssignment(input, "core_image", { markerPrefix: "core" })).toEqual({ variable: "core_image", value: OLD, marker: "core-v0.9.0", version: "0.9.0", line });
    expect(editTfvars(input, change).text).toBe(`${lookAlike}\ncore_image = "${NEW}" # core-v0.10.0\n`);
  });

  it.each(lookAlikes)("does not count %s as an assignment", (_, lookAlike) => {
    expect(refusal(() => readTfvarsAssignment(`${lookAlike}\n`, "core_image", { markerPrefix: "core" })).code).toBe("variable_missing");
  });
});

describe("what HCL itself rejects is not an assignment", () => {
  // Evidence for the decision: hcl2json (HashiCorp's parser) refuses quoted names and `:`.
  it.each([
    ["a quoted name", `"core_image" = "${OLD}"\n`, "Argument names must not be quoted"],
    ["a colon", `core_image: "${OLD}"\n`, "use the equals sign"],
  ])("%s", async (_, input, parserMessage) => {
    await expect(parse("prod.tfvars", input)).rejects.toThrow(parserMessage);
    expect(refusal(() => readTfvarsAssignment(input, "core_image", { markerPrefix: "core" })).code).toBe("variable_missing");
  });
});

describe("on the service's own line, a comment is exactly its strict marker or the edit is refused", () => {
  // Each of these was read as "no marker" (version unknown) before, so a lower version was planned.
  it.each([
    ["build metadata", "# core-v0.9.0+build.5", "has a comment that resembles a release marker but is not a strict one (# core-v0.9.0+build.5)"],
    ["another service's marker", "# web-v9.0.0", "carries the release marker of another service (# web-v9.0.0), not core's"],
    ["a longer prefix", "# core-api-v9.0.0", "carries the release marker of another service (# core-api-v9.0.0), not core's"],
    ["an upper-case prefix", "# Core-v9.0.0", "has a comment that resembles a release marker but is not a strict one (# Core-v9.0.0)"],
    ["leading zeros", "# core-v09.0.0", "has a comment that resembles a release marker but is not a strict one (# core-v09.0.0)"],
    ["a short version", "# core-v9.0", "has a comment that resembles a release marker but is not a strict one (# core-v9.0)"],
    ["words after the marker", "# core-v9.0.0 hotfix", "has a comment that resembles a release marker but is not a strict one (# core-v9.0.0 hotfix)"],
    ["no v", "# core-9.0.0", "has a comment on its line (# core-9.0.0)"],
    ["a block comment marker", "/* core-v9.0.0 */", "has a comment on its line (/* core-v9.0.0 */)"],
    ["an empty comment", "#", "has a comment on its line (#)"],
  ])("refuses %s", (_, comment, message) => {
    const input = `core_image = "${OLD}" ${comment}\n`;
    for (const run of [() => readTfvarsAssignment(input, "core_image", { file, markerPrefix: "core" }), () => editTfvars(input, change, { file })]) {
      const error = refusal(run);
      expect(error.code).toBe("trailing_comment");
      expect(error.message).toContain(`core_image in ${file} (line 1) ${message}`);
    }
  });

  it("accepts a service whose name starts with a digit (one grammar: config, tags and markers agree)", () => {
    const input = `three_d_image = "${OLD}" # 3d-v1.0.0\n`;
    expect(readTfvarsAssignment(input, "three_d_image", { markerPrefix: "3d" })).toMatchObject({ marker: "3d-v1.0.0", version: "1.0.0" });
    expect(editTfvars(input, { variable: "three_d_image", value: NEW, marker: "3d-v1.1.0" }).text).toBe(`three_d_image = "${NEW}" # 3d-v1.1.0\n`);
  });
});

describe("releaseMarkerOf", () => {
  it.each([
    ["# core-v0.10.0", "core-v0.10.0"],
    ["// web-v1.4.2", "web-v1.4.2"],
    ["#ai-v0.3.0   ", "ai-v0.3.0"],
    ["# edge-bff-v1.0.0-rc.1", "edge-bff-v1.0.0-rc.1"],
    ["# core-v01.0.0", undefined],
    ["# core-1.0.0", undefined],
    ["# v1.0.0", undefined],
    ["# core-v1.0.0 hotfix", undefined],
    ["/* core-v1.0.0 */", undefined],
    ["# core@0123456789ab", "core@0123456789ab"],
    ["// edge-bff@0123456789ab", "edge-bff@0123456789ab"],
    ["# core@0123456789AB", undefined],
    ["# core@0123456789a", undefined],
    ["# core@0123456789abc", undefined],
    ["# Core@0123456789ab", undefined],
  ])("%s → %s", (comment, marker) => {
    expect(releaseMarkerOf(comment)?.text).toBe(marker);
  });
});
